/** Renders the sign-in page, on its own or for a pending authorization. */
import type { FastifyReply } from 'fastify';
import type { Deps } from '../../deps.ts';
import type { App } from '../../domain/apps.ts';
import type { Interaction } from '../../domain/interactions.ts';
import { formToken } from '../csrf.ts';
import { sendPage } from '../views/send_page.ts';
import { SignInView } from './view.tsx';

export interface SignInPage {
  app?: App;
  interaction?: Interaction;
  email?: string;
  failed?: boolean;
  /** A sentence shown above the form (after sign-up). */
  notice?: string;
  /** Seconds until another attempt is allowed: answers 429 with Retry-After (RFC 6585 §4). */
  retryAfter?: number;
  /** Email first: ask for the password of `email` (issue 3). */
  passwordStep?: { forced: boolean };
}

/** The login form token: bound to the pending authorization it continues ('' for none). */
export function loginToken(deps: Pick<Deps, 'formKey'>, interactionId: string | undefined): string {
  return formToken(deps.formKey, 'login', interactionId ?? '');
}

export function sendSignInPage(deps: Pick<Deps, 'formKey'>, reply: FastifyReply, page: SignInPage): FastifyReply {
  const id = page.interaction?.id;
  const throttled = page.retryAfter !== undefined;
  if (throttled) reply.header('retry-after', String(page.retryAfter));
  return sendPage(
    reply,
    <SignInView
      token={loginToken(deps, id)}
      interactionId={id}
      appName={page.app?.name}
      email={page.email}
      failed={page.failed}
      notice={page.notice}
      throttled={throttled}
      passwordStep={page.passwordStep}
    />,
    { status: throttled ? 429 : page.failed ? 401 : 200, redirectUri: page.interaction?.request.redirectUri },
  );
}
