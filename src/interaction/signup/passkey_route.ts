/**
 * Sign-up with a passkey and no password (issue 16), JSON for our script (assets/passkeys.js):
 *
 * - POST /signup/passkey/options (name, email) → a registration challenge; the name and address
 *   wait with it, server-side. It costs like a sign-up from the per-address budget.
 * - POST /signup/passkey (the credential) → the account, with no password, and its passkey. The
 *   answer is the same whether or not the address was taken (SECURITY 33): go and sign in.
 *
 * SAME_ORIGIN (src/http/form_guard.ts): JSON, refused when a browser says it comes from elsewhere.
 * @module
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppOptions } from '../../deps.ts';
import { MAX_NAME_CHARS, isPlausibleEmail, normalizeEmail } from '../../domain/users.ts';
import { SAME_ORIGIN } from '../../http/form_guard.ts';
import { rejectOtherMethods } from '../../http/methods.ts';
import { callerOf } from '../../http/signed_in.ts';
import { loadLiveInteraction } from '../../services/interactions.ts';
import { SIGN_UP_PASSKEY } from '../passkey_paths.ts';
import { EXPIRED, OPTIONS_SCHEMA, REFUSED, VERIFY_SCHEMA, answerJson, passkeyJsonErrors, problem, throttledJson, type PasskeyRequest } from '../passkey_json.ts';
import { signedUpLocation } from './route.tsx';

type Post = FastifyRequest<{ Body: PasskeyRequest }>;

export default async function passkeySignUpRoutes(app: FastifyInstance, { deps }: AppOptions): Promise<void> {
  passkeyJsonErrors(app);
  const config = { csrf: SAME_ORIGIN };

  app.post(SIGN_UP_PASSKEY.options, { config, schema: OPTIONS_SCHEMA }, async (request: Post, reply) => {
    const name = (request.body.name ?? '').trim();
    const email = normalizeEmail(request.body.email ?? '');
    if (name === '' || [...name].length > MAX_NAME_CHARS) return problem(reply, 400, 'invalid_name', `Enter your name (at most ${MAX_NAME_CHARS} characters).`);
    if (!isPlausibleEmail(email)) return problem(reply, 400, 'invalid_email', 'Enter a valid email address.');
    const outcome = await deps.accounts.passkeySignUpOptions({ name, email }, callerOf(deps.config, request));
    if (outcome.kind === 'throttled') return throttledJson(reply, outcome.retryAfter);
    return answerJson(reply, { options: outcome.options });
  });

  app.post(SIGN_UP_PASSKEY.verify, { config, schema: VERIFY_SCHEMA }, async (request: Post, reply) => {
    const { interaction } = request.body;
    if (interaction !== undefined && !(await loadLiveInteraction(deps, interaction))) return problem(reply, 400, 'interaction_expired', EXPIRED);
    const outcome = await deps.accounts.signUpWithPasskey(request.body.credential, callerOf(deps.config, request));
    if (outcome.kind === 'refused') {
      request.log.info({ reason: outcome.reason }, 'passkey sign-up refused');
      return problem(reply, 400, 'refused', REFUSED);
    }
    return answerJson(reply, { location: signedUpLocation(interaction) });
  });

  for (const path of [SIGN_UP_PASSKEY.options, SIGN_UP_PASSKEY.verify]) rejectOtherMethods(app, path, ['POST']);
}
