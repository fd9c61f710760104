import type { AuditEvent } from './audit.ts';
import type { AccountLink } from './account_links.ts';
import type { MailIntent } from './mail.ts';
import type { Passkey } from './passkeys.ts';
/** People who sign in to Tessera. */
export interface User {
  id: string;
  email: string;
  name: string;
  passwordHash: string | null;
  createdAt: number;
  passwordChangedAt: number | null;
  disabledAt: number | null;
  /**
   * 'personal': email and password kept by Tessera. 'work': vouched for by a company directory,
   * found by (issuer, subject) and never by email (SECURITY 48); it has no password.
   */
  kind: AccountKind;
  /** The directory of a work account (its name: `stores.directories.find(id)`); null otherwise or once removed. */
  directoryId: string | null;
  /**
   * When the person was known to own `email`, or null: operator-created accounts (`tessera user
   * create`, the demo), and work accounts whose directory says `email_verified` for an address of
   * its own domains. Sign-up accounts stay null until the person opens the link mailed to the
   * address (/verify-email); a new address is verified by the link that changes it. Only a
   * verified address is added to an organization by email at once; otherwise the owner's
   * addition is an invitation (domain/invitations.ts).
   */
  emailVerifiedAt: number | null;
  /**
   * When the account was made a platform operator (issue 21, `tessera user admin --grant`), or
   * null. Only an operator may open the console under /admin (interaction/admin/guard.ts).
   */
  platformOperatorAt: number | null;
}

export type AccountKind = 'personal' | 'work';

export interface UserStore {
  /**
   * Creates a personal account; `undefined` when a personal account has the email. Emails are
   * compared lowercased. `emailVerified`: whoever creates it vouches that the person owns the
   * address (an operator); the account is then verified as of `now`. Default: not verified.
   */
  create(input: { email: string; name: string; passwordHash: string | null; emailVerified?: boolean }, now: number, withIt?: (user: User) => WithNewAccount): Promise<User | undefined>;
  findById(id: string): Promise<User | undefined>;
  /**
   * The PERSONAL account with this email. Work accounts are never found by email: one may share
   * its email with a personal account and must not open it (SECURITY 48).
   */
  findByEmail(email: string): Promise<User | undefined>;
  /**
   * Every account, personal or work, whose address is `email` and verified. More than one when a
   * personal and a work account both proved the same address.
   */
  findVerifiedByEmail(email: string): Promise<User[]>;
  /**
   * Every account, personal or work, whose address is `email`, verified or not: only to choose
   * which message a password reset mails to that address (issue 15), never to sign anyone in.
   */
  listByEmail(email: string): Promise<User[]>;
  /**
   * Sets a new password with a reset link (issue 15), in one transaction: the link is marked used
   * (a conditional UPDATE: of two uses, one wins), the password replaced only while it is still
   * `previousHash` (the one the link was made against) and the account not disabled, every session
   * and pending sign-in of the account ended, every live refresh token revoked, the address
   * counted as verified when it is still `email` (the link mailed there proved it), and `event`
   * recorded with its notice. 'used': the link was used or expired meanwhile; 'stale': the
   * password changed or the account was disabled. Nothing is written unless 'reset'.
   * `previousHash` null: an account with no password, which a link may give one only while it has
   * no passkey either (what an operator's `reset-second-factor` leaves): a mailbox alone never
   * opens an account that signs in with a passkey; 'stale' if it has one.
   */
  resetPasswordWithLink(linkId: string, userId: string, change: { email: string; previousHash: string | null; passwordHash: string }, now: number, event: AuditEvent): Promise<'reset' | 'used' | 'stale'>;
  /**
   * Records whether the account's address is proven, for the address it has now only (`email`, as
   * the caller read it): a verification is never carried over to an address changed since.
   * `verifiedAt` keeps the first verification; null withdraws it. True when the row changed.
   */
  setEmailVerified(id: string, email: string, verifiedAt: number | null): Promise<boolean>;
  /**
   * Proves the address with a verification link (issue 15), in one transaction: the link is marked
   * used (a conditional UPDATE: of two uses, one wins), `emailVerifiedAt` set for the account's
   * address only if it is still `email`, and `event` recorded. 'used': the link was used or
   * expired meanwhile; 'stale': the address is not `email` any more; 'already': it was verified
   * already. Nothing is written unless 'verified'.
   */
  verifyEmailWithLink(linkId: string, userId: string, email: string, now: number, event: AuditEvent): Promise<'verified' | 'already' | 'used' | 'stale'>;
  /**
   * Changes the address from `from` to `to` with a change-of-address link (issue 15), in one
   * transaction: the link is marked used, the address set and verified as of `now`, any unused
   * password-reset link expired (it was mailed to the old address), and `event`
   * recorded (its notice goes to the old address, domain/notices.ts). 'used': the link was used or
   * expired meanwhile; 'stale': the address is not `from` any more; 'taken': another personal
   * account has `to` now. Nothing is written unless 'changed'.
   */
  changeEmailWithLink(linkId: string, userId: string, from: string, to: string, now: number, event: AuditEvent): Promise<'changed' | 'used' | 'stale' | 'taken'>;
  rename(id: string, name: string, now: number): Promise<void>;
  /**
   * Sets a new password hash and `passwordChangedAt`, and in the same transaction ends every
   * session of the person except `keepSessionId` and revokes every live refresh token of theirs
   * (SECURITY 37). `event` (the change's audit event, and so its security notice) is recorded in
   * that transaction too: a password never changes without its notice (issue 15).
   */
  changePassword(id: string, passwordHash: string, keepSessionId: string, now: number, event?: AuditEvent): Promise<void>;
  /**
   * Disables the account and, in the same transaction, ends every live session of it (SECURITY 37).
   * A disabled account keeps its first `disabledAt`. The caller revokes the person's grants.
   */
  disable(id: string, now: number): Promise<{ sessionsEnded: number }>;
  /** Lets a disabled account sign in again; false when it was not disabled. */
  enable(id: string, now: number): Promise<boolean>;
  /**
   * Makes the account a platform operator (`operator` true) or no longer one, and records `event`
   * in the same transaction; false, and nothing written, when it already was (or was not) one.
   */
  setPlatformOperator(id: string, operator: boolean, now: number, event: AuditEvent): Promise<boolean>;

  /** The person's TOTP secret (sealed), confirmed or not. */
  findTotp(userId: string): Promise<UserTotp | undefined>;
  /** Stores a new, unconfirmed secret, replacing any unconfirmed one; false when TOTP is already on. */
  startTotp(userId: string, secretSealed: string, now: number): Promise<boolean>;
  /** Confirms the secret at `step` and stores the recovery-code digests, and `event` with its notice, in one transaction. */
  enableTotp(userId: string, step: number, recoveryDigests: string[], now: number, event?: AuditEvent): Promise<boolean>;
  /** Removes the secret and every recovery code, and records `event` with its notice, in one transaction. */
  disableTotp(userId: string, now: number, event?: AuditEvent): Promise<void>;
  /** Records `step` as used; false when a step at or after it was used already (replay). */
  useTotpStep(userId: string, step: number): Promise<boolean>;
  /**
   * Marks an unused recovery code used; false when unknown or used. `event`, made from the number
   * of codes left, is recorded (with its notice, `user.recovery_code_used`) in the same
   * transaction: no code is spent without the person being told (issue 15).
   */
  useRecoveryCode(userId: string, digest: string, now: number, event?: (remaining: number) => AuditEvent): Promise<boolean>;
  countUnusedRecoveryCodes(userId: string): Promise<number>;
  /**
   * An operator removes every second factor of an account (issue 15, `tessera user
   * reset-second-factor`), in one transaction: TOTP and all its recovery codes, every passkey and
   * the count of wrong codes; `event`, made from what was removed, is recorded with its notice;
   * and `link` (a password-reset link and its mail, for an account left with no way in) is
   * written. Undefined, and nothing written, when there was nothing to remove.
   */
  removeSecondFactors(userId: string, now: number, event: (removed: RemovedFactors) => AuditEvent, link?: { link: Omit<AccountLink, 'usedAt'>; mail: MailIntent }): Promise<RemovedFactors | undefined>;
}

/** What `removeSecondFactors` took away. */
export interface RemovedFactors {
  totp: boolean;
  /** Unused recovery codes deleted. */
  recoveryCodes: number;
  passkeys: number;
}

/**
 * What is written with a new account, in its transaction, made from the new row (it names the
 * account): its audit event, and for a sign-up the verification link and the mail carrying it, so
 * no crash leaves an account whose link was never mailed (issue 15).
 */
export interface WithNewAccount {
  event?: AuditEvent;
  link?: Omit<AccountLink, 'usedAt'>;
  mail?: MailIntent;
  /**
   * A passkey-only sign-up's passkey (issue 16) and its `user.passkey_added` event: the account
   * and its only way in are written together, so no crash leaves an account nobody can open.
   */
  passkey?: { row: Passkey; event: AuditEvent };
}

export interface UserTotp {
  secretSealed: string;
  enabledAt: number | null;
  lastStep: number | null;
}

/** Longest display name accepted, in characters. */
export const MAX_NAME_CHARS = 100;

/** Emails are kept and compared lowercased and trimmed. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** A deliberately plain check: one @, something on each side, no spaces, at most 254 characters. */
export function isPlausibleEmail(email: string): boolean {
  return email.length <= 254 && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email);
}
