/**
 * GET/POST /login/code — the second step of a sign-in with TOTP (RFC 6238), through the accounts
 * service: the session starts only here, with a new id, `amr` ["pwd","otp"] and `auth_time` now
 * (SECURITY 35). An account with a passkey is offered it here too (issue 16; its JSON endpoints:
 * ./passkey_route.ts). Wrong codes count per account on every node and per pending sign-in, which ends
 * after PENDING_ATTEMPTS of them (services/accounts/accounts.ts).
 * @module
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppOptions } from '../../deps.ts';
import type { Deps } from '../../deps.ts';
import type { PendingSignIn } from '../../domain/sessions.ts';
import { rejectOtherMethods } from '../../http/methods.ts';
import { formToken, preSessionFormRule } from '../../http/form_guard.ts';
import { callerOf, clearPendingCookie, pendingCookie, setSessionCookie } from '../../http/signed_in.ts';
import { asRawParams, assembleParams } from '../../http/params.ts';
import { loadLiveInteraction } from '../../services/interactions.ts';
import { digest } from '../../crypto/digest.ts';
import { sendPage } from '../views/send_page.ts';
import { TOO_MANY } from './view.tsx';
import { CodeView } from './code_view.tsx';
import { afterSignIn } from './after_sign_in.ts';

export const CODE_PATH = '/login/code';

/** Bound to the pending sign-in of this browser (its cookie's digest, the pending id). */
function pendingIdOf(deps: Pick<Deps, 'config'>, request: FastifyRequest): string {
  const value = pendingCookie(deps.config, request);
  return value === undefined ? '' : digest(value);
}

function codeToken(deps: Pick<Deps, 'formKey'>, pendingId: string): string {
  return formToken(deps.formKey, null, 'login-code', pendingId);
}

/**
 * The page options of the code page: when it continues an authorization, its CSP lets the form
 * lead on to the client's redirect URI (Chromium applies form-action to the redirects after the
 * POST; STACK trap 6), as on the sign-in page.
 */
async function pageOptions(deps: Pick<Deps, 'clock' | 'stores'>, pending: PendingSignIn, status = 200) {
  const live = pending.interactionId === null ? undefined : await loadLiveInteraction(deps, pending.interactionId);
  return { status, redirectUri: live?.interaction.request.redirectUri };
}

/** What the page offers: a code, and a passkey where the account has one and passkeys can work here (issue 16). */
async function secondFactors(deps: Pick<Deps, 'accounts'>, pending: PendingSignIn) {
  const factors = await deps.accounts.secondFactorsOf(pending.userId);
  return { ...factors, passkey: factors.passkey && deps.accounts.passkeysOffered() };
}

/**
 * The code page, offering what the account has; with a passkey, our script runs the ceremony and
 * the page's CSP allows it from 'self' only (`scripts`, issue 16).
 */
async function sendCodePage(deps: Deps, reply: FastifyReply, pending: PendingSignIn, view: { wrong?: boolean; throttled?: string } = {}, status = 200): Promise<FastifyReply> {
  const factors = await secondFactors(deps, pending);
  return sendPage(reply, <CodeView token={codeToken(deps, pending.id)} factors={factors} {...view} />, { ...(await pageOptions(deps, pending, status)), scripts: factors.passkey });
}

function startAgain(reply: FastifyReply): FastifyReply {
  return reply.code(303).header('location', '/login').send();
}

export default async function codeRoutes(app: FastifyInstance, { deps }: AppOptions): Promise<void> {
  // Read once per request: the POST's guard and its handler share it.
  const read = new WeakMap<FastifyRequest, Promise<PendingSignIn | undefined>>();
  const readPending = (request: FastifyRequest) => {
    let pending = read.get(request);
    if (!pending) read.set(request, (pending = deps.accounts.pending(pendingCookie(deps.config, request))));
    return pending;
  };

  app.get(CODE_PATH, async (request, reply) => {
    const pending = await readPending(request);
    if (!pending) return startAgain(reply);
    return sendCodePage(deps, reply, pending);
  });

  const csrf = preSessionFormRule('login-code', (request) => [pendingIdOf(deps, request)]);
  // Without a live pending sign-in there is nothing to finish: back to the password, before any other check.
  const onRequest = async (request: FastifyRequest, reply: FastifyReply) => ((await readPending(request)) ? undefined : startAgain(reply));
  app.post(CODE_PATH, { onRequest, config: { csrf } }, async (request, reply) => {
    const form = assembleParams(['code'], asRawParams(request.body));
    const pending = await readPending(request);
    if (!pending) return startAgain(reply);
    const outcome = await deps.accounts.completeSecondFactor(pending, form.code, callerOf(deps.config, request));
    switch (outcome.kind) {
      case 'throttled':
        reply.header('retry-after', String(outcome.retryAfter));
        return sendCodePage(deps, reply, pending, { throttled: TOO_MANY }, 429);
      case 'wrong':
        return sendCodePage(deps, reply, pending, { wrong: true }, 401);
      case 'restart':
        clearPendingCookie(deps.config, reply);
        return startAgain(reply);
      case 'session':
        clearPendingCookie(deps.config, reply);
        setSessionCookie(deps.config, reply, outcome.opened);
        return afterSignIn(reply, outcome.continuation);
    }
  });

  rejectOtherMethods(app, CODE_PATH, ['GET', 'POST']);
}
