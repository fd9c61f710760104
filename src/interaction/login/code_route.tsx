/**
 * GET/POST /login/code — the second step of a sign-in with TOTP (RFC 6238). The password was
 * right; the session starts only here, with a new id, `amr` ["pwd","otp"] and `auth_time` now
 * (SECURITY 35). Wrong codes count against the sign-in throttles (SECURITY 32) and against the
 * pending sign-in, which ends after PENDING_ATTEMPTS of them.
 * @module
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { AppOptions } from '../../app.ts';
import type { Deps } from '../../deps.ts';
import type { PendingSignIn } from '../../domain/sessions.ts';
import { rejectOtherMethods } from '../../http/methods.ts';
import { asRawParams, assembleParams } from '../../oauth/params.ts';
import { loadLiveInteraction, resumeUrl } from '../../oauth/authorize/interactions.ts';
import { startSession } from '../../core/sessions.ts';
import { formToken, isCrossSite, tokenMatches } from '../csrf.ts';
import { sendForbidden } from '../views/error_page.tsx';
import { sendPage } from '../views/send_page.ts';
import { checkSecondFactor } from '../account/second_factor.ts';
import { PENDING_ATTEMPTS, clearPending, readPending } from './pending.ts';
import { throttledSignIn } from './throttle.ts';
import { TOO_MANY } from './view.tsx';
import { CodeView } from './code_view.tsx';

export const CODE_PATH = '/login/code';

function codeToken(deps: Pick<Deps, 'formKey'>, pendingId: string): string {
  return formToken(deps.formKey, 'login-code', pendingId);
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

function startAgain(reply: FastifyReply): FastifyReply {
  return reply.code(303).header('location', '/login').send();
}

export default async function codeRoutes(app: FastifyInstance, { deps }: AppOptions): Promise<void> {
  app.get(CODE_PATH, async (request, reply) => {
    const pending = await readPending(deps, request);
    if (!pending) return startAgain(reply);
    return sendPage(reply, <CodeView token={codeToken(deps, pending.id)} />, await pageOptions(deps, pending));
  });

  app.post(CODE_PATH, async (request, reply) => {
    if (isCrossSite(request, deps.config.issuer)) return sendForbidden(reply);
    const form = assembleParams(['code', 'token'], asRawParams(request.body));
    const pending = await readPending(deps, request);
    if (!pending) return startAgain(reply);
    if (!tokenMatches(form.token, codeToken(deps, pending.id))) return sendForbidden(reply);
    const user = await deps.stores.users.findById(pending.userId);
    if (!user || user.disabledAt !== null) return startAgain(reply);

    const outcome = await throttledSignIn(deps.throttles, user.email, request.ip, async () =>
      (await checkSecondFactor(deps, user.id, form.code)) ? user : undefined,
    );
    if (outcome.retryAfter !== undefined) {
      reply.header('retry-after', String(outcome.retryAfter));
      return sendPage(reply, <CodeView token={codeToken(deps, pending.id)} throttled={TOO_MANY} />, await pageOptions(deps, pending, 429));
    }
    const now = deps.clock.now();
    if (!outcome.user) {
      await deps.stores.audit.record({ type: 'user.sign_in_failed', userId: user.id, ip: request.ip, detail: { step: 'otp' } }, now);
      if ((await deps.stores.sessions.countPendingAttempt(pending.id)) >= PENDING_ATTEMPTS) {
        await deps.stores.sessions.consumePending(pending.id, now);
        clearPending(deps, reply);
        return startAgain(reply);
      }
      return sendPage(reply, <CodeView token={codeToken(deps, pending.id)} wrong />, await pageOptions(deps, pending, 401));
    }
    if (!(await deps.stores.sessions.consumePending(pending.id, now))) return startAgain(reply);
    clearPending(deps, reply);
    const amr = ['pwd', 'otp'];
    await startSession(deps, request, reply, user.id, amr);
    await deps.stores.audit.record({ type: 'user.signed_in', userId: user.id, ip: request.ip, detail: { amr } }, now);
    const live = pending.interactionId === null ? undefined : await loadLiveInteraction(deps, pending.interactionId);
    return reply.code(303).header('location', live ? resumeUrl(live.interaction.id) : '/').send();
  });

  rejectOtherMethods(app, CODE_PATH, ['GET', 'POST']);
}
