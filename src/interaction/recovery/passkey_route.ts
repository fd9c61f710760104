/**
 * A password reset whose second factor is a passkey (issue 15: "If the account has a second factor,
 * the reset still asks for it"; issue 16: a passkey can be that factor). JSON for our script
 * (assets/passkeys.js, `data-passkey="reset"` on the reset page), the same pair as the second
 * step of sign-in (login/passkey_route.ts), bound to the reset link instead of a pending sign-in:
 *
 * - POST /reset-password/passkey/options (link, password, confirm) → the link and the new password
 *   checked first, then a challenge for the account's own passkeys, bound to that account and link;
 * - POST /reset-password/passkey (link, password, confirm, credential) → the assertion checked
 *   against that challenge (taken once), then the reset in one transaction, as the form's;
 *   `location` is the sign-in page.
 *
 * SAME_ORIGIN (src/http/form_guard.ts), before any session: the link in the body is what names
 * the account, as the reset form's token is bound to it. The accounts service does the rest.
 * @module
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static } from 'typebox';
import type { AppOptions } from '../../deps.ts';
import { SAME_ORIGIN } from '../../http/form_guard.ts';
import { rejectOtherMethods } from '../../http/methods.ts';
import { callerOf } from '../../http/signed_in.ts';
import { PASSWORD_PROBLEMS, type PasswordProblem } from '../../services/accounts/password_policy.ts';
import type { LinkProblem } from '../../domain/account_links.ts';
import { RESET_PASSKEY } from '../passkey_paths.ts';
import { OPTIONS_SCHEMA, REFUSED, VERIFY_SCHEMA, answerJson, passkeyJsonErrors, problem, throttledJson } from '../passkey_json.ts';
import { LINK_PROBLEMS, PASSWORDS_DIFFER } from './reset_view.tsx';
import { AFTER_RESET } from './paths.ts';

// Every field optional, as on the other passkey steps: a body that fails the schema is answered
// before the form guard runs (Fastify validates first), and a cross-site request must meet the guard.
const ResetPasskeyRequest = Type.Object({
  link: Type.Optional(Type.String({ maxLength: 200 })),
  // SECURITY 34 caps passwords at 1,024 bytes; the policy says so in words, the schema only bounds the body.
  password: Type.Optional(Type.String({ maxLength: 4096 })),
  confirm: Type.Optional(Type.String({ maxLength: 4096 })),
  credential: Type.Optional(Type.Object({}, { additionalProperties: true })),
});
type ResetPasskeyRequest = Static<typeof ResetPasskeyRequest>;
type Post = FastifyRequest<{ Body: ResetPasskeyRequest }>;

const NO_PASSKEY = 'Your account has no passkey. Use a code instead.';
const WORK_ACCOUNT = 'This is a work account: change your password with your company.';
const PASSKEY_ACCOUNT = 'This account signs in with a passkey and has no password to reset. If you lost your passkeys, ask your administrator.';

/** Why the reset cannot go on, as the page would say it, with its status. */
type Unusable = { kind: 'refused'; problem: LinkProblem } | { kind: 'work_account' } | { kind: 'passkey_account' } | { kind: 'weak'; problem: PasswordProblem };

function unusable(reply: FastifyReply, outcome: Unusable): FastifyReply {
  switch (outcome.kind) {
    case 'refused': {
      const { status, message } = LINK_PROBLEMS[outcome.problem];
      return problem(reply, status, `link_${outcome.problem}`, message);
    }
    case 'work_account':
      return problem(reply, 400, 'work_account', WORK_ACCOUNT);
    case 'passkey_account':
      return problem(reply, 400, 'passkey_account', PASSKEY_ACCOUNT);
    case 'weak':
      return problem(reply, 400, 'weak_password', PASSWORD_PROBLEMS[outcome.problem]);
  }
}

export default async function passkeyResetRoutes(app: FastifyInstance, { deps }: AppOptions): Promise<void> {
  passkeyJsonErrors(app);
  const config = { csrf: SAME_ORIGIN };

  app.post(RESET_PASSKEY.options, { config, schema: { body: ResetPasskeyRequest, response: OPTIONS_SCHEMA.response } }, async (request: Post, reply) => {
    const { link, password = '', confirm = '' } = request.body;
    if (password !== confirm) return problem(reply, 400, 'passwords_differ', PASSWORDS_DIFFER);
    const outcome = await deps.accounts.passkeyResetOptions(link, password);
    switch (outcome.kind) {
      case 'options':
        return answerJson(reply, { options: outcome.options });
      case 'no_passkey':
        return problem(reply, 400, 'no_passkey', NO_PASSKEY);
      default:
        return unusable(reply, outcome);
    }
  });

  app.post(RESET_PASSKEY.verify, { config, schema: { body: ResetPasskeyRequest, response: VERIFY_SCHEMA.response } }, async (request: Post, reply) => {
    const { link, password = '', confirm = '', credential } = request.body;
    if (password !== confirm) return problem(reply, 400, 'passwords_differ', PASSWORDS_DIFFER);
    const outcome = await deps.accounts.resetPasswordWithPasskey(link, password, credential, callerOf(deps.config, request));
    switch (outcome.kind) {
      case 'reset':
        return answerJson(reply, { location: AFTER_RESET });
      case 'throttled':
        return throttledJson(reply, outcome.retryAfter);
      case 'passkey_refused':
        // One answer for every refusal; why goes to the log only.
        request.log.info({ reason: outcome.reason }, 'passkey refused');
        return problem(reply, 401, 'refused', REFUSED);
      default:
        return unusable(reply, outcome);
    }
  });

  for (const path of [RESET_PASSKEY.options, RESET_PASSKEY.verify]) rejectOtherMethods(app, path, ['POST']);
}
