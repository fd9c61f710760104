/**
 * Passkey sign-in beside /login (issue 16), JSON for our script (assets/passkeys.js):
 *
 * - POST /login/passkey/options → a challenge for any passkey of ours (discoverable credentials,
 *   empty allowCredentials; user verification required), from the "Sign in with a passkey"
 *   button or the email field's autofill (conditional mediation);
 * - POST /login/passkey → verifies the assertion; a session as a password sign-in opens one, and
 *   the way on (the pending authorization, a path of ours, home) as `location`;
 * - POST /login/code/passkey/options and POST /login/code/passkey → a passkey of the account as
 *   the second step after its password, bound to this browser's pending sign-in.
 *
 * Each is SAME_ORIGIN (src/http/form_guard.ts): JSON, refused when a browser says it comes from
 * another site; a cross-site page cannot send JSON without a CORS preflight, which we never answer.
 * The accounts service does the rest.
 * @module
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppOptions } from '../../deps.ts';
import { SAME_ORIGIN } from '../../http/form_guard.ts';
import { rejectOtherMethods } from '../../http/methods.ts';
import { callerOf, clearPendingCookie, pendingCookie, setSessionCookie } from '../../http/signed_in.ts';
import { loadLiveInteraction } from '../../services/interactions.ts';
import { safeReturnPath } from '../../domain/return_path.ts';
import type { Continuation } from '../../services/accounts/accounts.ts';
import { SECOND_FACTOR_PASSKEY, SIGN_IN_PASSKEY } from '../passkey_paths.ts';
import { EXPIRED, OPTIONS_SCHEMA, REFUSED, VERIFY_SCHEMA, answerJson, passkeyJsonErrors, problem, throttledJson, type PasskeyRequest } from '../passkey_json.ts';
import { signInLocation } from './after_sign_in.ts';

type Post = FastifyRequest<{ Body: PasskeyRequest }>;

const RESTART = 'Your sign-in expired. Start again with your email and password.';

export default async function passkeySignInRoutes(app: FastifyInstance, { deps }: AppOptions): Promise<void> {
  passkeyJsonErrors(app);
  const config = { csrf: SAME_ORIGIN };

  app.post(SIGN_IN_PASSKEY.options, { config, schema: OPTIONS_SCHEMA }, async (_request, reply) => {
    return answerJson(reply, { options: await deps.accounts.passkeySignInOptions() });
  });

  app.post(SIGN_IN_PASSKEY.verify, { config, schema: VERIFY_SCHEMA }, async (request: Post, reply) => {
    const { interaction, return_to: returnTo, credential } = request.body;
    const live = interaction === undefined ? undefined : await loadLiveInteraction(deps, interaction);
    if (interaction !== undefined && !live) return problem(reply, 400, 'interaction_expired', EXPIRED);
    const next: Continuation = { interactionId: live?.interaction.id ?? null, returnTo: live ? null : (safeReturnPath(returnTo) ?? null) };
    const outcome = await deps.accounts.signInWithPasskey(credential, callerOf(deps.config, request));
    switch (outcome.kind) {
      case 'throttled':
        return throttledJson(reply, outcome.retryAfter);
      case 'refused':
        return refuse(request, reply, outcome.reason);
      case 'session':
        setSessionCookie(deps.config, reply, outcome.opened);
        return answerJson(reply, { location: signInLocation(next) });
    }
  });

  app.post(SECOND_FACTOR_PASSKEY.options, { config, schema: OPTIONS_SCHEMA }, async (request, reply) => {
    const pending = await deps.accounts.pending(pendingCookie(deps.config, request));
    if (!pending) return problem(reply, 401, 'restart', RESTART);
    const options = await deps.accounts.passkeySecondFactorOptions(pending);
    if (!options) return problem(reply, 400, 'no_passkey', 'Your account has no passkey. Use a code instead.');
    return answerJson(reply, { options });
  });

  app.post(SECOND_FACTOR_PASSKEY.verify, { config, schema: VERIFY_SCHEMA }, async (request: Post, reply) => {
    const pending = await deps.accounts.pending(pendingCookie(deps.config, request));
    if (!pending) return problem(reply, 401, 'restart', RESTART);
    const outcome = await deps.accounts.completeSecondFactorWithPasskey(pending, request.body.credential, callerOf(deps.config, request));
    switch (outcome.kind) {
      case 'throttled':
        return throttledJson(reply, outcome.retryAfter);
      case 'refused':
        return refuse(request, reply, outcome.reason);
      case 'restart':
        clearPendingCookie(deps.config, reply);
        return problem(reply, 401, 'restart', RESTART);
      case 'session':
        clearPendingCookie(deps.config, reply);
        setSessionCookie(deps.config, reply, outcome.opened);
        return answerJson(reply, { location: signInLocation(outcome.continuation ?? { interactionId: null, returnTo: null }) });
    }
  });

  for (const path of [SIGN_IN_PASSKEY.options, SIGN_IN_PASSKEY.verify, SECOND_FACTOR_PASSKEY.options, SECOND_FACTOR_PASSKEY.verify]) rejectOtherMethods(app, path, ['POST']);
}

/** One answer for every refusal (the reason goes to the log only). */
function refuse(request: FastifyRequest, reply: FastifyReply, reason: string): FastifyReply {
  request.log.info({ reason }, 'passkey refused');
  return problem(reply, 401, 'refused', REFUSED);
}
