/**
 * Addresses, for the accounts service (issue 15): proving the address given at sign-up with a
 * link mailed to it, sending that link again, and changing the address with a link mailed to the
 * new one. Each link is single-use (domain/account_links.ts) and is marked used in the
 * transaction of the change it allows (persistence/stores/users.ts). Every message is written
 * with the change that causes it; a throttled or refused request writes nothing.
 *
 * Nothing here says whether an address has an account (SECURITY 33): a sign-up or a change of
 * address to a taken address answers as for a free one, and the owner of that address gets a word
 * instead of a link.
 * @module
 */
import type { Clock } from '../../clock.ts';
import type { Stores } from '../../domain/stores.ts';
import type { AuditEvent } from '../../domain/audit.ts';
import type { MailIntent } from '../../domain/mail.ts';
import type { User, WithNewAccount } from '../../domain/users.ts';
import { LINK_LIFETIME_SECONDS, linkProblem, type AccountLink, type LinkProblem } from '../../domain/account_links.ts';
import { isPlausibleEmail, normalizeEmail } from '../../domain/users.ts';
import { accountLinkKey } from '../../crypto/derived_keys.ts';
import { linkIdOf, newLinkId } from '../../crypto/account_links.ts';
import type { ClientInfo } from './sessions.ts';

/** "Send the link again": at most one a minute and five a day per account (issue 15: "send again" is throttled). */
export const RESEND_GAP_SECONDS = 60;
export const RESEND_PER_DAY = 5;
/** Change-of-address requests per account: the same limits (each mails an address the person typed). */
export const CHANGE_GAP_SECONDS = 60;
export const CHANGE_PER_DAY = 5;
/**
 * A word to the owner of a taken address (sign-up, change of address) at most once an hour per
 * address: anyone can type an address, and its owner should not be flooded with our mail.
 */
export const TAKEN_MAIL_GAP_SECONDS = 3600;
const DAY = 86_400;

export interface EmailDeps {
  clock: Clock;
  stores: Stores;
  formKey: Buffer;
}

/** Whether a link can be used now, read without writing (a GET: mail scanners open links). */
export type LinkState<P> = { kind: 'ok'; user: User; link: AccountLink } | P | { kind: 'refused'; problem: LinkProblem };

export type VerifyOutcome = { kind: 'verified'; user: User; link: AccountLink } | { kind: 'already' } | { kind: 'refused'; problem: LinkProblem };
export type ResendOutcome = { kind: 'sent' } | { kind: 'already' } | { kind: 'work_account' } | { kind: 'throttled'; retryAfter: number };
export type ChangeRequestProblem = { kind: 'invalid' } | { kind: 'same' } | { kind: 'work_account' } | { kind: 'throttled'; retryAfter: number };
export type ChangeOutcome = { kind: 'changed'; user: User } | { kind: 'other_account' } | { kind: 'taken'; email: string } | { kind: 'refused'; problem: LinkProblem };

/**
 * A verification link for the account's address and the mail carrying it (sign-up, "send again").
 * At sign-up, `signUp` binds it to the signing-up browser and the authorization it started from
 * (issue 20, services/accounts/link_sign_in.ts); "send again" binds it to nothing.
 */
export function verificationRows(
  user: Pick<User, 'id' | 'email' | 'name'>,
  now: number,
  signUp?: { browserDigest: string; interactionId: string | null },
): Required<Pick<WithNewAccount, 'link' | 'mail'>> {
  const id = newLinkId();
  const expiresAt = now + LINK_LIFETIME_SECONDS.verify_email;
  return {
    link: { id, userId: user.id, purpose: 'verify_email', email: user.email, stamp: null, createdAt: now, expiresAt, ...signUp },
    mail: { kind: 'verify_email', to: user.email, userId: user.id, data: { linkId: id, name: user.name, expiresAt } },
  };
}

/**
 * A sign-up with an address that has an account: the owner is told (with links to sign in and to
 * reset the password) instead of getting a second account, at most once per TAKEN_MAIL_GAP_SECONDS.
 */
export async function tellOwnerOfSignUp(deps: EmailDeps, email: string): Promise<void> {
  await mailOwnerOnce(deps, { kind: 'signup_taken', to: normalizeEmail(email), userId: null, data: {} });
}

/** The verification link behind `value` and its account, if it can be used now. */
export async function verifyLinkState(deps: EmailDeps, value: string | undefined): Promise<LinkState<{ kind: 'already' }>> {
  const found = await linkAndUser(deps, 'verify_email', value);
  if (!found) return { kind: 'refused', problem: 'unknown' };
  const { link, user } = found;
  const problem = linkProblem(link, 'verify_email', deps.clock.now(), { email: user.email, stamp: null });
  if (problem !== undefined) return { kind: 'refused', problem };
  if (user.emailVerifiedAt !== null) return { kind: 'already' };
  return { kind: 'ok', user, link };
}

/** Uses a verification link: the address is verified, with its `user.email_verified` event, in one transaction. */
export async function verifyEmail(deps: EmailDeps, value: string | undefined, caller: ClientInfo): Promise<VerifyOutcome> {
  const state = await verifyLinkState(deps, value);
  if (state.kind !== 'ok') return state;
  const { user, link } = state;
  const now = deps.clock.now();
  const event: AuditEvent = { type: 'user.email_verified', userId: user.id, ip: caller.ip, userAgent: caller.userAgent, detail: { via: 'link' } };
  const outcome = await deps.stores.users.verifyEmailWithLink(link.id, user.id, link.email, now, event);
  switch (outcome) {
    case 'verified':
      return { kind: 'verified', user: { ...user, emailVerifiedAt: now }, link };
    case 'already':
      return { kind: 'already' };
    default:
      return { kind: 'refused', problem: outcome };
  }
}

/**
 * A new verification link for the account's address. Work accounts get none: their directory
 * vouches for their address or does not (services/accounts/work_accounts.ts).
 */
export async function resendVerification(deps: EmailDeps, user: User): Promise<ResendOutcome> {
  if (user.kind === 'work') return { kind: 'work_account' };
  if (user.emailVerifiedAt !== null) return { kind: 'already' };
  const now = deps.clock.now();
  const sent = await deps.stores.accountLinks.createdSince(user.id, 'verify_email', now - DAY);
  const retryAfter = waitFor(sent, now, RESEND_GAP_SECONDS, RESEND_PER_DAY);
  if (retryAfter !== undefined) return { kind: 'throttled', retryAfter };
  const { link, mail } = verificationRows(user, now);
  await deps.stores.accountLinks.create(link, mail);
  return { kind: 'sent' };
}

/**
 * What stops a change of address before the password is checked: a work account (its directory
 * owns the address), an address that is not one, the account's own address, or too many requests.
 * Requests are counted by their audit events, so the limit holds on every node.
 */
export async function changeRequestProblem(deps: EmailDeps, user: User, newEmail: string): Promise<ChangeRequestProblem | undefined> {
  if (user.kind === 'work') return { kind: 'work_account' };
  if (!isPlausibleEmail(newEmail)) return { kind: 'invalid' };
  if (newEmail === user.email) return { kind: 'same' };
  const now = deps.clock.now();
  const recent = await deps.stores.audit.listForUser(user.id, ['user.email_change_requested'], CHANGE_PER_DAY);
  const retryAfter = waitFor(recent.map((e) => e.at).filter((at) => at > now - DAY).reverse(), now, CHANGE_GAP_SECONDS, CHANGE_PER_DAY);
  return retryAfter === undefined ? undefined : { kind: 'throttled', retryAfter };
}

/**
 * Mails a change-of-address link to `newEmail` (the password was checked). When another personal
 * account has that address, its owner gets a word instead and no link is made; the person asking
 * sees the same answer either way (SECURITY 33). The request is recorded first (its event is what
 * the per-account limit counts), so a crash errs on the side of the limit.
 */
export async function sendChangeLink(deps: EmailDeps, user: User, newEmail: string, caller: ClientInfo): Promise<void> {
  const now = deps.clock.now();
  await deps.stores.audit.record({ type: 'user.email_change_requested', userId: user.id, ip: caller.ip, detail: { new_email: newEmail } }, now);
  if (await deps.stores.users.findByEmail(newEmail)) {
    await mailOwnerOnce(deps, { kind: 'address_taken', to: newEmail, userId: null, data: {} });
    return;
  }
  const id = newLinkId();
  const expiresAt = now + LINK_LIFETIME_SECONDS.change_email;
  await deps.stores.accountLinks.create(
    { id, userId: user.id, purpose: 'change_email', email: newEmail, stamp: user.email, createdAt: now, expiresAt },
    { kind: 'change_email', to: newEmail, userId: user.id, data: { linkId: id, name: user.name, expiresAt } },
  );
}

/** The change-of-address link behind `value` and its account, if it can be used now by `signedIn`. */
export async function changeLinkState(deps: EmailDeps, value: string | undefined, signedIn: User): Promise<LinkState<{ kind: 'other_account' }>> {
  const found = await linkAndUser(deps, 'change_email', value);
  if (!found) return { kind: 'refused', problem: 'unknown' };
  const { link, user } = found;
  // The link changes the account that asked for it, and only while that account is signed in.
  if (user.id !== signedIn.id) return { kind: 'other_account' };
  const problem = linkProblem(link, 'change_email', deps.clock.now(), { email: user.email, stamp: null });
  return problem === undefined ? { kind: 'ok', user, link } : { kind: 'refused', problem };
}

/**
 * Uses a change-of-address link: in one transaction the link is used, the address changes and
 * counts as verified, and `user.email_changed` is recorded, whose notice goes to the old address
 * (domain/notices.ts). Sessions stay: an address is not a credential, and the old address is
 * told at once. An address another account took in the meantime changes nothing.
 */
export async function confirmEmailChange(deps: EmailDeps, value: string | undefined, signedIn: User, caller: ClientInfo): Promise<ChangeOutcome> {
  const state = await changeLinkState(deps, value, signedIn);
  if (state.kind !== 'ok') return state;
  const { user, link } = state;
  const now = deps.clock.now();
  const event: AuditEvent = { type: 'user.email_changed', userId: user.id, ip: caller.ip, userAgent: caller.userAgent, detail: { old_email: user.email, new_email: link.email } };
  const outcome = await deps.stores.users.changeEmailWithLink(link.id, user.id, user.email, link.email, now, event);
  switch (outcome) {
    case 'changed':
      return { kind: 'changed', user: { ...user, email: link.email, emailVerifiedAt: now } };
    case 'taken':
      return { kind: 'taken', email: link.email };
    default:
      return { kind: 'refused', problem: outcome };
  }
}

/** A word to the owner of an address (no link), unless one of the same kind went there within the hour. */
async function mailOwnerOnce(deps: EmailDeps, mail: Extract<MailIntent, { kind: 'signup_taken' | 'address_taken' }>): Promise<void> {
  const now = deps.clock.now();
  if ((await deps.stores.outbox.countRecent(mail.to, [mail.kind], now - TAKEN_MAIL_GAP_SECONDS)) > 0) return;
  await deps.stores.outbox.enqueue(mail, now);
}

/** The link named by a link value whose MAC is right, and its account. */
async function linkAndUser(deps: EmailDeps, purpose: 'verify_email' | 'change_email', value: string | undefined): Promise<{ link: AccountLink; user: User } | undefined> {
  const id = linkIdOf(accountLinkKey(deps.formKey), purpose, value);
  const link = id === undefined ? undefined : await deps.stores.accountLinks.find(id);
  if (!link || link.purpose !== purpose) return undefined;
  const user = await deps.stores.users.findById(link.userId);
  return user && user.disabledAt === null ? { link, user } : undefined;
}

/**
 * Seconds to wait before one more, given when the earlier ones happened (oldest first, all within
 * the last day): at least `gap` after the newest, and at most `perDay` in any day.
 */
function waitFor(times: readonly number[], now: number, gap: number, perDay: number): number | undefined {
  const newest = times.at(-1);
  const waits: number[] = [];
  if (newest !== undefined && now - newest < gap) waits.push(newest + gap - now);
  if (times.length >= perDay) waits.push(times[times.length - perDay]! + DAY - now);
  return waits.length === 0 ? undefined : Math.max(1, ...waits);
}
