/**
 * Account recovery (issue 15), for the accounts service: "Forgot your password?", the reset link
 * it mails, and the operator's removal of a lost second factor.
 *
 * A request for an address answers the same, after the same work, whatever the address names
 * (SECURITY 33): exactly one message is written to the outbox in every case — a reset link for a
 * personal account, a word about the company for a work account, a word that no account uses the
 * address otherwise (a disabled account counts as none) — and nothing is hashed or sent inline.
 * The link lives 30 minutes, works once, and dies when the password changes
 * (crypto/password_stamp.ts) or the address does; using it still asks for the second factor: a
 * code (TOTP or a recovery code) or one of the account's passkeys, whichever it has.
 *
 * An account that signs in with a passkey and has no password gets no link at all: a mailbox
 * alone must not open an account whose way in is a passkey. It is mailed why, and that an
 * administrator can help (`tessera user reset-second-factor`, which removes its passkeys and mails
 * it a link to set a password); a link naming such an account is refused by its page too.
 * @module
 */
import type { Clock } from '../../clock.ts';
import type { Stores } from '../../domain/stores.ts';
import type { Throttles } from '../../caches/throttles.ts';
import type { AccountLink, LinkProblem } from '../../domain/account_links.ts';
import type { MailIntent, MailKind } from '../../domain/mail.ts';
import type { Config } from '../../config/config.ts';
import type { RemovedFactors, User } from '../../domain/users.ts';
import type { ClientInfo } from './sessions.ts';
import type { RequestOptions } from '../../crypto/webauthn.ts';
import { LINK_LIFETIME_SECONDS, linkProblem } from '../../domain/account_links.ts';
import { isPlausibleEmail, normalizeEmail } from '../../domain/users.ts';
import { actorDetail, type Actor } from '../../domain/audit.ts';
import { clientNetwork } from '../../caches/throttles.ts';
import { linkIdOf, newLinkId } from '../../crypto/account_links.ts';
import { accountLinkKey } from '../../crypto/derived_keys.ts';
import { hashPassword } from '../../crypto/passwords.ts';
import { passwordStamp } from '../../crypto/password_stamp.ts';
import { passwordProblem, type PasswordProblem } from './password_policy.ts';
import { checkLimitedSecondFactor } from './second_factor.ts';
import { factorOptions, verifyFactor } from './passkey_sign_in.ts';

/**
 * Reset mails per address per RESET_WINDOW_SECONDS, counted in the outbox so the limit holds on
 * every node. Past it a request writes nothing and answers as usual: the owner already has links
 * in their inbox, and a stranger learns nothing (issue 15, "throttled per address").
 */
export const RESET_MAILS_PER_ADDRESS = 3;
export const RESET_WINDOW_SECONDS = 3600;
const RESET_KINDS: readonly MailKind[] = ['reset_password', 'reset_work_account', 'reset_passkey_account', 'reset_unknown'];

type RecoveryDeps = { config: Config; clock: Clock; stores: Stores; throttles: Throttles; formKey: Buffer };

export type ResetRequest = { kind: 'accepted' } | { kind: 'throttled'; retryAfter: number } | { kind: 'invalid' };

/** The second factors a reset asks for, as at sign-in: either one the account has will do. */
export interface ResetFactors {
  /** TOTP is on: a code from the app, or a recovery code. */
  code: boolean;
  /** The account has passkeys: one of them, through our script's ceremony. */
  passkey: boolean;
}

/** A reset link as its page sees it: usable (and which second factor it asks for), refused, or an account no link resets. */
export type ResetLink =
  | { kind: 'ok'; user: User; link: AccountLink; factors: ResetFactors }
  | { kind: 'refused'; problem: LinkProblem }
  /** The link names a work account: it has no password here, its company resets it. */
  | { kind: 'work_account'; directory: string | null }
  /** The link names an account that signs in with a passkey alone: only an administrator helps. */
  | { kind: 'passkey_account' };

export type PasswordReset =
  | { kind: 'reset'; user: User }
  | Exclude<ResetLink, { kind: 'ok' }>
  | { kind: 'weak'; problem: PasswordProblem }
  | { kind: 'wrong_code' }
  /** The account's second factor is a passkey only: the form's POST cannot give it; the ceremony can. */
  | { kind: 'passkey_required' }
  | { kind: 'throttled'; retryAfter: number };

/** `passkey_refused`: the assertion was not accepted; `reason` is for the log only. */
export type PasskeyReset = Exclude<PasswordReset, { kind: 'wrong_code' } | { kind: 'passkey_required' }> | { kind: 'passkey_refused'; reason: string };

export type PasskeyResetOptions = { kind: 'options'; options: RequestOptions } | Exclude<ResetLink, { kind: 'ok' }> | { kind: 'weak'; problem: PasswordProblem } | { kind: 'no_passkey' };

/** What an operator's reset removed, and whether it mailed a link to set a password. */
export type SecondFactorReset = RemovedFactors & { passwordLink: boolean };

export async function requestPasswordReset(deps: RecoveryDeps, email: string | undefined, caller: ClientInfo): Promise<ResetRequest> {
  const to = normalizeEmail(email ?? '');
  // The form's own check: says nothing of accounts.
  if (!isPlausibleEmail(to)) return { kind: 'invalid' };
  const wait = deps.throttles.passwordResetPerIp.take(clientNetwork(caller.ip));
  if (wait > 0) return { kind: 'throttled', retryAfter: wait };
  const now = deps.clock.now();
  if ((await deps.stores.outbox.countRecent(to, RESET_KINDS, now - RESET_WINDOW_SECONDS)) >= RESET_MAILS_PER_ADDRESS) return { kind: 'accepted' };

  // One read whatever the address names, then one write of one message.
  const accounts = (await deps.stores.users.listByEmail(to)).filter((u) => u.disabledAt === null);
  const personal = accounts.find((u) => u.kind === 'personal');
  const work = accounts.find((u) => u.kind === 'work');
  // Read for every request, so that no answer costs an extra round trip: the directory of a work
  // account, the passkeys of a personal one (the id '' matches none).
  const [directory, passkeys] = await Promise.all([deps.stores.directories.find(work?.directoryId ?? ''), deps.stores.passkeys.countForUser(personal?.id ?? '')]);
  // A passkey and no password: a link would let the mailbox in where only the passkey may.
  const passkeyOnly = personal !== undefined && personal.passwordHash === null && passkeys > 0;
  if (personal && !passkeyOnly) {
    const link = resetLinkFor(personal, now);
    await deps.stores.accountLinks.writeResetMail(resetMail(personal, link), link, now);
    return { kind: 'accepted' };
  }
  const mail: MailIntent = personal
    ? { kind: 'reset_passkey_account', to, userId: personal.id, data: {} }
    : work
      ? { kind: 'reset_work_account', to, userId: work.id, data: { directory: directory?.name ?? 'your company’s directory' } }
      : { kind: 'reset_unknown', to, userId: null, data: {} };
  await deps.stores.accountLinks.writeResetMail(mail, undefined, now);
  return { kind: 'accepted' };
}

/**
 * A reset link for `user`'s address, stamped with the password it replaces (none: an account an
 * operator left with no way in, which the link gives a password).
 */
function resetLinkFor(user: User, now: number): Omit<AccountLink, 'usedAt'> {
  const stamp = user.passwordHash === null ? null : passwordStamp(user.passwordHash);
  return { id: newLinkId(), userId: user.id, purpose: 'reset_password', email: user.email, stamp, createdAt: now, expiresAt: now + LINK_LIFETIME_SECONDS.reset_password };
}

function resetMail(user: User, link: Omit<AccountLink, 'usedAt'>): MailIntent {
  return { kind: 'reset_password', to: link.email, userId: user.id, data: { linkId: link.id, name: user.name, expiresAt: link.expiresAt } };
}

/**
 * Reads a reset link without using it: a mail scanner that opens it leaves it good. Its MAC is
 * checked before any lookup; then the row, against the account as it is now (same password, same
 * address, not disabled).
 */
export async function checkResetLink(deps: RecoveryDeps, value: string | undefined): Promise<ResetLink> {
  const id = linkIdOf(accountLinkKey(deps.formKey), 'reset_password', value);
  const link = id === undefined ? undefined : await deps.stores.accountLinks.find(id);
  const user = link && (await deps.stores.users.findById(link.userId));
  if (!link || !user || user.disabledAt !== null) return { kind: 'refused', problem: 'unknown' };
  if (user.kind === 'work') return { kind: 'work_account', directory: (await directoryName(deps, user)) ?? null };
  const passkeys = await deps.stores.passkeys.countForUser(user.id);
  // Such a link is never mailed (requestPasswordReset); one made before the account lost its password still opens nothing.
  if (user.passwordHash === null && passkeys > 0) return { kind: 'passkey_account' };
  const problem =
    linkProblem(link, 'reset_password', deps.clock.now(), { email: user.email, stamp: user.passwordHash === null ? null : passwordStamp(user.passwordHash) }) ??
    // Mailed to an address the account no longer has: whoever reads that mailbox is not the owner now.
    (link.email === user.email ? undefined : 'stale');
  if (problem !== undefined) return { kind: 'refused', problem };
  return { kind: 'ok', user, link, factors: { code: await totpOn(deps, user.id), passkey: passkeys > 0 } };
}

/**
 * Sets a new password with a reset link: the policy first, then the second factor when the
 * account has one (wrong codes count against its limit as at sign-in; an account whose only
 * second factor is a passkey must use `resetPasswordWithPasskey`), then `commitReset`.
 */
export async function resetPassword(deps: RecoveryDeps, value: string | undefined, password: string, code: string | undefined, caller: ClientInfo): Promise<PasswordReset> {
  const checked = await checkResetLink(deps, value);
  if (checked.kind !== 'ok') return checked;
  const problem = passwordProblem(password);
  if (problem !== undefined) return { kind: 'weak', problem };
  const { user, link, factors } = checked;
  if (!factors.code) return factors.passkey ? { kind: 'passkey_required' } : commitReset(deps, user, link, password, caller, 'none');
  const factor = await checkLimitedSecondFactor(deps, user.id, code, caller, 'password_reset');
  if (factor.kind === 'throttled') return factor;
  if (factor.kind === 'wrong') {
    await deps.stores.audit.record({ type: 'user.sign_in_failed', userId: user.id, ip: caller.ip, detail: { step: 'otp', via: 'password_reset' } }, deps.clock.now());
    return factor.retryAfter === undefined ? { kind: 'wrong_code' } : { kind: 'throttled', retryAfter: factor.retryAfter };
  }
  return commitReset(deps, user, link, password, caller, factor.factor);
}

/**
 * The passkey ceremony of a reset, first step: the link and the new password are checked before
 * anyone touches their authenticator, then a challenge for the account's passkeys, bound to the
 * account and to this link (services/accounts/passkey_sign_in.ts, `factorOptions`).
 */
export async function passkeyResetOptions(deps: RecoveryDeps, value: string | undefined, password: string): Promise<PasskeyResetOptions> {
  const checked = await checkResetLink(deps, value);
  if (checked.kind !== 'ok') return checked;
  const problem = passwordProblem(password);
  if (problem !== undefined) return { kind: 'weak', problem };
  const options = checked.factors.passkey ? await factorOptions(deps, checked.user.id, { purpose: 'password_reset', linkId: checked.link.id }) : undefined;
  return options ? { kind: 'options', options } : { kind: 'no_passkey' };
}

/**
 * Sets a new password with a reset link and one of the account's passkeys as its second factor:
 * the assertion must answer a challenge handed out for this link and account (taken once: a replay
 * finds none), with a passkey of this account, checked as at sign-in (signature, origin, RP ID,
 * counter); then `commitReset`.
 */
export async function resetPasswordWithPasskey(deps: RecoveryDeps, value: string | undefined, password: string, credential: unknown, caller: ClientInfo): Promise<PasskeyReset> {
  const checked = await checkResetLink(deps, value);
  if (checked.kind !== 'ok') return checked;
  const problem = passwordProblem(password);
  if (problem !== undefined) return { kind: 'weak', problem };
  const { user, link } = checked;
  const verified = await verifyFactor(deps, user, credential, caller, { purpose: 'password_reset', linkId: link.id });
  if (verified.kind === 'refused') return { kind: 'passkey_refused', reason: verified.reason };
  if (verified.kind === 'throttled') return verified;
  return commitReset(deps, user, link, password, caller, 'passkey');
}

/**
 * One transaction (users store, `resetPasswordWithLink`): the link used, the password set, every
 * session and refresh token ended, `user.password_reset` recorded (its notice is mailed).
 */
async function commitReset(deps: RecoveryDeps, user: User, link: AccountLink, password: string, caller: ClientInfo, factor: 'otp' | 'recovery' | 'passkey' | 'none'): Promise<{ kind: 'reset'; user: User } | { kind: 'refused'; problem: LinkProblem }> {
  const passwordHash = await hashPassword(password);
  const now = deps.clock.now();
  const event = { type: 'user.password_reset', userId: user.id, ip: caller.ip, userAgent: caller.userAgent, detail: { second_factor: factor } };
  const outcome = await deps.stores.users.resetPasswordWithLink(link.id, user.id, { email: link.email, previousHash: user.passwordHash, passwordHash }, now, event);
  return outcome === 'reset' ? { kind: 'reset', user } : { kind: 'refused', problem: outcome };
}

/**
 * An operator removes the second factors a person lost (issue 15): TOTP and every recovery code,
 * every passkey, and the count of wrong codes, with `user.second_factor_reset` (what was removed;
 * its notice is mailed) in one transaction. An account that had no password — it signed in with
 * its passkeys — is left with no way in, so the same transaction writes a password-reset link and
 * its mail: the person sets a password with it. Undefined when the account had no second factor.
 */
export async function resetSecondFactor(deps: RecoveryDeps, user: User, via: string | Actor): Promise<SecondFactorReset | undefined> {
  const now = deps.clock.now();
  const link = user.passwordHash === null ? resetLinkFor(user, now) : undefined;
  const event = (removed: RemovedFactors) => ({
    type: 'user.second_factor_reset',
    userId: user.id,
    detail: { ...actorDetail(via), totp: removed.totp, recovery_codes_deleted: removed.recoveryCodes, passkeys_removed: removed.passkeys, password_link: link !== undefined },
  });
  const removed = await deps.stores.users.removeSecondFactors(user.id, now, event, link && { link, mail: resetMail(user, link) });
  return removed && { ...removed, passwordLink: link !== undefined };
}

/** Whether TOTP is on (its recovery codes come with it). */
async function totpOn(deps: RecoveryDeps, userId: string): Promise<boolean> {
  const totp = await deps.stores.users.findTotp(userId);
  return totp !== undefined && totp.enabledAt !== null;
}

async function directoryName(deps: RecoveryDeps, user: User): Promise<string | undefined> {
  return user.directoryId === null ? undefined : (await deps.stores.directories.find(user.directoryId))?.name;
}
