/** `tessera user …`: personal accounts; disabling and enabling any account. */
import { command, type CommandGroup } from './command.ts';
import type { CliContext } from './context.ts';
import { CliError, UsageError } from './errors.ts';
import { email, text } from './values.ts';
import { MAX_PASSWORD_BYTES, MIN_PASSWORD_CHARS } from '../crypto/passwords.ts';
import type { User } from '../domain/users.ts';
import { LINK_LIFETIME_SECONDS } from '../domain/account_links.ts';
import { admin } from './user_admin.ts';
import { userReads } from './user_reads.ts';

interface CreateUser {
  email: string;
  name: string;
  password: string;
}

/** SECURITY 34: a floor on length and a ceiling in bytes, checked before any hashing. */
function password(value: string): string {
  if ([...value].length < MIN_PASSWORD_CHARS) throw new UsageError(`--password must have at least ${MIN_PASSWORD_CHARS} characters`);
  if (Buffer.byteLength(value, 'utf8') > MAX_PASSWORD_BYTES) throw new UsageError(`--password may have at most ${MAX_PASSWORD_BYTES} bytes`);
  return value;
}

const create = command<CreateUser>({
  summary: 'create a person who signs in with email and password',
  flags: {
    email: { type: 'string', required: true, value: 'EMAIL', description: 'sign-in address (kept lowercased)' },
    name: { type: 'string', required: true, value: 'NAME', description: 'display name' },
    password: { type: 'string', required: true, value: 'PASSWORD', description: `${MIN_PASSWORD_CHARS}+ characters, at most ${MAX_PASSWORD_BYTES} bytes` },
  },
  example: 'tessera user create --email alice@example.com --name "Alice Liddell" --password "correct horse battery staple"',
  check: (flags) => ({
    email: email('email', flags.required('email')),
    name: text('name', flags.required('name'), 100),
    password: password(flags.required('password')),
  }),
  async run(context, input) {
    if (await context.stores.users.findByEmail(input.email)) throw new CliError(`a user with email ${input.email} already exists`);
    // Through the accounts service, like sign-up. The operator vouches for the address, so
    // organizations add this account by email at once. Undefined when another writer took the email in between.
    const user = await context.accounts.createAccount({ ...input, via: 'cli' });
    if (!user) throw new CliError(`a user with email ${input.email} already exists`);
    return {
      json: { id: user.id, email: user.email, name: user.name },
      text: `created user ${user.email} (id ${user.id})`,
    };
  },
});

/** A personal account by email, or any account (work accounts too) by id. */
async function byEmailOrId(context: CliContext, value: string): Promise<User> {
  const found = (value.includes('@') ? await context.stores.users.findByEmail(value) : undefined) ?? (await context.stores.users.findById(value));
  if (!found) throw new CliError(`no account with email or id "${value}"`);
  return found;
}

const USER_FLAG = { type: 'string', required: true, value: 'EMAIL|ID', description: 'a personal account by email, or any account by id' } as const;

/**
 * SECURITY 37: a disabled account cannot sign in, its sessions end, and every service it
 * authorized loses its tokens: each live grant is revoked as on "Manage applications", which puts
 * its access tokens on the denylist that every server reads (within SYNC_INTERVAL_MS). Running it
 * again on a disabled account revokes whatever a crash left live.
 */
const disable = command<{ user: string }>({
  summary: 'disable an account: no sign-in, its sessions end, the services it authorized lose their tokens',
  flags: { user: USER_FLAG },
  example: 'tessera user disable --user bob@example.com',
  check: (flags) => ({ user: flags.required('user').trim() }),
  async run(context, input) {
    const user = await byEmailOrId(context, input.user);
    const { sessionsEnded, grantsRevoked } = await context.accounts.disableAccount(user, 'cli', context.config.ttl.accessToken);
    return {
      json: { id: user.id, email: user.email, disabled: true, sessions_ended: sessionsEnded, grants_revoked: grantsRevoked },
      text: `disabled ${user.email} (id ${user.id}); ended ${sessionsEnded} session(s), revoked ${grantsRevoked} authorization(s)`,
    };
  },
});

/** Sign-in works again; the authorizations revoked by `disable` stay revoked (the person approves anew). */
const enable = command<{ user: string }>({
  summary: 'let a disabled account sign in again (revoked authorizations stay revoked)',
  flags: { user: USER_FLAG },
  example: 'tessera user enable --user bob@example.com',
  check: (flags) => ({ user: flags.required('user').trim() }),
  async run(context, input) {
    const user = await byEmailOrId(context, input.user);
    if (!(await context.accounts.enableAccount(user, 'cli'))) throw new CliError(`${user.email} is not disabled`);
    return { json: { id: user.id, email: user.email, disabled: false }, text: `enabled ${user.email} (id ${user.id})` };
  },
});

/**
 * Issue 15: a person who lost both the password and the second factor cannot recover alone (a
 * reset link still asks for it), nor can one who lost the passkeys of an account without a
 * password (no link opens it). After checking who they are, an operator removes every second
 * factor: TOTP off, recovery codes deleted, passkeys removed, `user.second_factor_reset` recorded
 * and a notice mailed to the account's address. An account without a password is also mailed a
 * link to set one, in the same transaction; others reset the password with "Forgot your password?".
 */
const resetSecondFactor = command<{ email: string }>({
  summary: 'remove the second factors (TOTP, recovery codes, passkeys) of a person who lost them; mails them a notice, and a link to set a password when the account has none',
  flags: { email: { type: 'string', required: true, value: 'EMAIL', description: 'the personal account’s address' } },
  example: 'tessera user reset-second-factor --email alice@example.com',
  check: (flags) => ({ email: email('email', flags.required('email')) }),
  async run(context, input) {
    const user = await context.stores.users.findByEmail(input.email);
    if (!user) throw new CliError(`no personal account with email ${input.email}`);
    const reset = await context.accounts.resetSecondFactor(user, 'cli');
    if (!reset) {
      const hint = user.passwordHash === null ? '; it has no password either: "Forgot your password?" on the sign-in page mails it a link to set one' : '';
      throw new CliError(`${user.email} has no second factor: nothing to reset${hint}`);
    }
    const removed = [reset.totp ? 'two-step verification (TOTP)' : '', reset.passkeys > 0 ? `${reset.passkeys} passkey(s)` : ''].filter((x) => x !== '').join(' and ');
    const link = reset.passwordLink ? `; it has no password, so a link to set one (good for ${LINK_LIFETIME_SECONDS.reset_password / 60} minutes) is on its way too` : '';
    return {
      json: {
        id: user.id,
        email: user.email,
        second_factor: false,
        totp_removed: reset.totp,
        recovery_codes_deleted: reset.recoveryCodes,
        passkeys_removed: reset.passkeys,
        notice: 'queued',
        password_link: reset.passwordLink ? 'queued' : null,
      },
      text: `removed ${removed} from ${user.email} (id ${user.id}); deleted ${reset.recoveryCodes} unused recovery code(s); a notice is on its way to ${user.email}${link}`,
    };
  },
});

export const userGroup: CommandGroup = {
  name: 'user',
  summary: 'accounts',
  commands: { list: userReads.list, show: userReads.show, create, disable, enable, 'reset-second-factor': resetSecondFactor, admin },
};
