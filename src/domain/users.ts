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
}

export type AccountKind = 'personal' | 'work';

export interface UserStore {
  /** Creates a personal account; `undefined` when a personal account has the email. Emails are compared lowercased. */
  create(input: { email: string; name: string; passwordHash: string | null }, now: number): Promise<User | undefined>;
  findById(id: string): Promise<User | undefined>;
  /**
   * The PERSONAL account with this email. Work accounts are never found by email: one may share
   * its email with a personal account and must not open it (SECURITY 48).
   */
  findByEmail(email: string): Promise<User | undefined>;
  rename(id: string, name: string, now: number): Promise<void>;
  /**
   * Sets a new password hash and `passwordChangedAt`, and in the same transaction ends every
   * session of the person except `keepSessionId` and revokes every live refresh token of theirs
   * (SECURITY 37).
   */
  changePassword(id: string, passwordHash: string, keepSessionId: string, now: number): Promise<void>;
  /**
   * Disables the account and, in the same transaction, ends every live session of it (SECURITY 37).
   * A disabled account keeps its first `disabledAt`. The caller revokes the person's grants.
   */
  disable(id: string, now: number): Promise<{ sessionsEnded: number }>;
  /** Lets a disabled account sign in again; false when it was not disabled. */
  enable(id: string, now: number): Promise<boolean>;

  /** The person's TOTP secret (sealed), confirmed or not. */
  findTotp(userId: string): Promise<UserTotp | undefined>;
  /** Stores a new, unconfirmed secret, replacing any unconfirmed one; false when TOTP is already on. */
  startTotp(userId: string, secretSealed: string, now: number): Promise<boolean>;
  /** Confirms the secret at `step` and stores the recovery-code digests, in one transaction. */
  enableTotp(userId: string, step: number, recoveryDigests: string[], now: number): Promise<boolean>;
  /** Removes the secret and every recovery code. */
  disableTotp(userId: string): Promise<void>;
  /** Records `step` as used; false when a step at or after it was used already (replay). */
  useTotpStep(userId: string, step: number): Promise<boolean>;
  /** Marks an unused recovery code used; false when unknown or used. */
  useRecoveryCode(userId: string, digest: string, now: number): Promise<boolean>;
  countUnusedRecoveryCodes(userId: string): Promise<number>;
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
