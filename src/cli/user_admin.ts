/**
 * `tessera user admin --email X --grant|--revoke` (issue 21): makes a personal account a platform
 * operator, who may open the operator console under /admin (after a sign-in with a second factor
 * or a passkey within 15 minutes, interaction/admin/guard.ts), or takes that away. Audited as
 * `user.operator_granted` / `user.operator_revoked` with `via: cli`, through the accounts service.
 * @module
 */
import { command } from './command.ts';
import { CliError, UsageError } from './errors.ts';
import { email } from './values.ts';

interface AdminInput {
  email: string;
  grant: boolean;
}

export const admin = command<AdminInput>({
  summary: 'make a personal account a platform operator (--grant), who may use the console under /admin, or no longer one (--revoke)',
  flags: {
    email: { type: 'string', required: true, value: 'EMAIL', description: 'the personal account’s address' },
    grant: { type: 'boolean', description: 'make it a platform operator' },
    revoke: { type: 'boolean', description: 'make it no longer a platform operator' },
  },
  example: 'tessera user admin --email alice@example.com --grant',
  check(flags) {
    const grant = flags.boolean('grant');
    if (grant === flags.boolean('revoke')) throw new UsageError('give exactly one of --grant and --revoke');
    return { email: email('email', flags.required('email')), grant };
  },
  async run(context, input) {
    const user = await context.stores.users.findByEmail(input.email);
    if (!user) throw new CliError(`no personal account with email ${input.email}`);
    const changed = await context.accounts.setPlatformOperator(user, input.grant, { via: 'cli' });
    const state = input.grant ? 'a platform operator' : 'not a platform operator';
    return {
      json: { id: user.id, email: user.email, platform_operator: input.grant, changed },
      text: changed ? `${user.email} (id ${user.id}) is now ${state}` : `${user.email} (id ${user.id}) was already ${state}; nothing changed`,
    };
  },
});
