/**
 * Account recovery (issue 15), for the accounts service: "Forgot your password?", the reset link
 * it mails, and the operator's removal of a lost second factor.
 *
 * A request for an address answers the same, after the same work, whatever the address names
 * (SECURITY 33): exactly one message is written to the outbox in every case — a reset link for a
 * personal account, a word about the company for a work account, a word that no account uses the
 * address otherwise (a disabled account counts as none) — and nothing is hashed or sent inline.
 * The link lives 30 minutes, works once, and dies when the password changes
 * (crypto/password_stamp.ts) or the address does; using it still asks for the second factor.
 * @module
 */
import type { Clock } from '../../clock.ts';
import type { Stores } from '../../domain/stores.ts';
import type { Throttles } from '../../caches/throttles.ts';
import type { AccountLink, LinkProblem } from '../../domain/account_links.ts';
import type { MailIntent, MailKind } from '../../domain/mail.ts';
import type { User } from '../../domain/users.ts';
import type { ClientInfo } from './sessions.ts';
import { LINK_LIFETIME_SECONDS, linkProblem } from '../../domain/account_links.ts';
import { isPlausibleEmail, normalizeEmail } from '../../domain/users.ts';
import { clientNetwork } from '../../caches/throttles.ts';
import { linkIdOf, newLinkId } from '../../crypto/account_links.ts';
import { accountLinkKey } from '../../crypto/derived_keys.ts';
import { hashPassword } from '../../crypto/passwords.ts';
import { passwordStamp } from '../../crypto/password_stamp.ts';
import { passwordProblem, type PasswordProblem } from './password_policy.ts';
import { checkLimitedSecondFactor } from './second_factor.ts';

/**
 * Reset mails per address per RESET_WINDOW_SECONDS, counted in the outbox so the limit holds on
 * every node. Past it a request writes nothing and answers as usual: the owner already has links
 * in their inbox, and a stranger learns nothing (issue 15, "throttled per address").
 */
export const RESET_MAILS_PER_ADDRESS = 3;
export const RESET_WINDOW_SECONDS = 3600;
const RESET_KINDS: readonly MailKind[] = ['reset_password', 'reset_work_account', 'reset_unknown'];

type RecoveryDeps = { clock: Clock; stores: Stores; throttles: Throttles; formKey: Buffer };

export type ResetRequest = { kind: 'accepted' } | { kind: 'throttled'; retryAfter: number } | { kind: 'invalid' };

/** A reset link as its page sees it: usable (and whether it asks for a code), refused, or a work account's. */
export type ResetLink =
  | { kind: 'ok'; user: User; link: AccountLink; secondFactor: boolean }
  | { kind: 'refused'; problem: LinkProblem }
  /** The link names a work account: it has no password here, its company resets it. */
  | { kind: 'work_account'; directory: string | null };

export type PasswordReset =
  | { kind: 'reset'; user: User }
  | Exclude<ResetLink, { kind: 'ok' }>
  | { kind: 'weak'; problem: PasswordProblem }
  | { kind: 'wrong_code' }
  | { kind: 'throttled'; retryAfter: number };

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
  const personal = accounts.find((u) => u.kind === 'personal' && u.passwordHash !== null);
  const work = accounts.find((u) => u.kind === 'work');
  // Read for every request, so that a work account's answer costs no extra round trip.
  const directory = await deps.stores.directories.find(work?.directoryId ?? '');
  if (personal) {
    const link = { id: newLinkId(), userId: personal.id, purpose: 'reset_password' as const, email: to, stamp: passwordStamp(personal.passwordHash!), createdAt: now, expiresAt: now + LINK_LIFETIME_SECONDS.reset_password };
    await deps.stores.accountLinks.writeResetMail({ kind: 'reset_password', to, userId: personal.id, data: { linkId: link.id, name: personal.name, expiresAt: link.expiresAt } }, link, now);
    return { kind: 'accepted' };
  }
  const mail: MailIntent = work
    ? { kind: 'reset_work_account', to, userId: work.id, data: { directory: directory?.name ?? 'your company’s directory' } }
    : { kind: 'reset_unknown', to, userId: null, data: {} };
  await deps.stores.accountLinks.writeResetMail(mail, undefined, now);
  return { kind: 'accepted' };
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
  const problem =
    linkProblem(link, 'reset_password', deps.clock.now(), { email: user.email, stamp: user.passwordHash === null ? null : passwordStamp(user.passwordHash) }) ??
    // Mailed to an address the account no longer has: whoever reads that mailbox is not the owner now.
    (link.email === user.email ? undefined : 'stale');
  if (problem !== undefined) return { kind: 'refused', problem };
  return { kind: 'ok', user, link, secondFactor: await totpOn(deps, user.id) };
}

/**
 * Sets a new password with a reset link: the policy first, then the second factor when the
 * account has one (wrong codes count against its limit as at sign-in), then one transaction that
 * uses the link, sets the password, ends every session and refresh token and records
 * `user.password_reset` (whose notice is mailed).
 */
export async function resetPassword(deps: RecoveryDeps, value: string | undefined, password: string, code: string | undefined, caller: ClientInfo): Promise<PasswordReset> {
  const checked = await checkResetLink(deps, value);
  if (checked.kind !== 'ok') return checked;
  const problem = passwordProblem(password);
  if (problem !== undefined) return { kind: 'weak', problem };
  const { user, link } = checked;
  if (checked.secondFactor) {
    const factor = await checkLimitedSecondFactor(deps, user.id, code, caller, 'password_reset');
    if (factor.kind === 'throttled') return factor;
    if (factor.kind === 'wrong') {
      await deps.stores.audit.record({ type: 'user.sign_in_failed', userId: user.id, ip: caller.ip, detail: { step: 'otp', via: 'password_reset' } }, deps.clock.now());
      return factor.retryAfter === undefined ? { kind: 'wrong_code' } : { kind: 'throttled', retryAfter: factor.retryAfter };
    }
  }
  const passwordHash = await hashPassword(password);
  const now = deps.clock.now();
  const event = { type: 'user.password_reset', userId: user.id, ip: caller.ip, userAgent: caller.userAgent };
  const outcome = await deps.stores.users.resetPasswordWithLink(link.id, user.id, { email: link.email, previousHash: user.passwordHash!, passwordHash }, now, event);
  return outcome === 'reset' ? { kind: 'reset', user } : { kind: 'refused', problem: outcome };
}

/**
 * An operator removes a second factor the person lost with their password (issue 15): TOTP off,
 * every recovery code deleted, the count of wrong codes cleared, and `user.second_factor_reset`
 * recorded in the same transaction (its notice is mailed). Undefined when the account has none.
 */
export async function resetSecondFactor(deps: RecoveryDeps, user: User, via: string): Promise<{ recoveryCodesDeleted: number } | undefined> {
  const { stores, clock } = deps;
  if (!(await totpOn(deps, user.id))) return undefined;
  const recoveryCodesDeleted = await stores.users.countUnusedRecoveryCodes(user.id);
  const now = clock.now();
  await stores.users.disableTotp(user.id, now, { type: 'user.second_factor_reset', userId: user.id, detail: { via, recovery_codes_deleted: recoveryCodesDeleted } });
  await stores.sessions.clearFactorFailures(user.id);
  return { recoveryCodesDeleted };
}

/**
 * The second factor a reset asks for, and the one an operator removes: TOTP with its recovery
 * codes. A passkey (issue 16) is checked by the browser at sign-in, which still asks for it after
 * a reset; this page has no WebAuthn step.
 */
async function totpOn(deps: RecoveryDeps, userId: string): Promise<boolean> {
  const totp = await deps.stores.users.findTotp(userId);
  return totp !== undefined && totp.enabledAt !== null;
}

async function directoryName(deps: RecoveryDeps, user: User): Promise<string | undefined> {
  return user.directoryId === null ? undefined : (await deps.stores.directories.find(user.directoryId))?.name;
}
