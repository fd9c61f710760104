/** Renders the sign-in page, on its own, for a pending authorization, or on the way back to a page of ours. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../../deps.ts';
import type { App } from '../../domain/apps.ts';
import type { Interaction } from '../../domain/interactions.ts';
import { fieldOf, formToken, preSessionFormRule } from '../../http/form_guard.ts';
import { sendPage } from '../views/send_page.ts';
import { SignInView, type SignInStep } from './view.tsx';
import { siteHost } from '../views/site_address.tsx';

export interface SignInPage {
  app?: App;
  interaction?: Interaction;
  /** A path on our origin to go to afterwards (domain/return_path.ts). */
  returnTo?: string;
  email?: string;
  failed?: boolean;
  /** A sentence shown above the form (after sign-up). */
  notice?: string;
  /** Seconds until another attempt is allowed: answers 429 with Retry-After (RFC 6585 §4). */
  retryAfter?: number;
  /** Email first (issue 3, issue 16): which step; the email step when absent. */
  step?: SignInStep;
}

/**
 * The sign-in form's CSRF rule: no session yet; bound to the authorization it continues. Not to
 * `return_to`, which is checked on its own (domain/return_path.ts): a changed one goes home.
 */
export const LOGIN_FORM = preSessionFormRule('login', (request: FastifyRequest) => [fieldOf(request.body, 'interaction')]);

/** The sign-in form's token (exported for tests that post the form without reading it). */
export function loginToken(deps: Pick<Deps, 'formKey'>, interactionId: string | undefined): string {
  return formToken(deps.formKey, null, 'login', interactionId);
}

export function sendSignInPage(deps: Pick<Deps, 'formKey' | 'accounts' | 'config'>, reply: FastifyReply, page: SignInPage): FastifyReply {
  const id = page.interaction?.id;
  const returnTo = id === undefined ? page.returnTo : undefined;
  const throttled = page.retryAfter !== undefined;
  if (throttled) reply.header('retry-after', String(page.retryAfter));
  return sendPage(
    reply,
    <SignInView
      token={loginToken(deps, id)}
      interactionId={id}
      returnTo={returnTo}
      appName={page.app?.name}
      email={page.email}
      failed={page.failed}
      notice={page.notice}
      throttled={throttled}
      step={page.step ?? { kind: 'email' }}
      passkeys={deps.accounts.passkeysOffered()}
      site={siteHost(deps.config.issuer)}
    />,
    { status: throttled ? 429 : page.failed ? 401 : 200, redirectUri: page.interaction?.request.redirectUri, scripts: deps.accounts.passkeysOffered() },
  );
}
