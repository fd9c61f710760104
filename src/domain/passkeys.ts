/**
 * Passkeys (issue 16): WebAuthn credentials that sign a person in, alone (discoverable, with user
 * verification) or as the second factor after a password; and the challenges of their ceremonies,
 * kept server-side and good once.
 * @module
 */
import type { AuditEvent } from './audit.ts';

export interface Passkey {
  /** The credential id, base64url (WebAuthn §5.1 `rawId`). */
  id: string;
  userId: string;
  /** The WebAuthn `user.id` it was made for, base64url: random, the same for all of one account's passkeys. */
  userHandle: string;
  /** The COSE public key, base64url. */
  publicKey: string;
  /** The last signature counter seen; 0 for authenticators that keep none (most synced passkeys). */
  counter: number;
  transports: string[];
  /** BE flag: the authenticator may sync the key to other devices (a "multi-device" credential). */
  backupEligible: boolean;
  /** BS flag at the last use: the key is backed up. */
  backedUp: boolean;
  /** The person's name for it ("Laptop", "Phone"). */
  name: string;
  /** The authenticator model (AAGUID), when it says; all zeros for most. */
  aaguid: string | null;
  createdAt: number;
  lastUsedAt: number | null;
}

/** Longest passkey name accepted, in characters. */
export const MAX_PASSKEY_NAME_CHARS = 64;

/**
 * What a challenge was handed out for. `password_reset`: the passkey a password reset asks for as
 * the account's second factor, bound to the account and to the reset link (issue 15).
 */
export type ChallengePurpose = 'register' | 'sign_in' | 'second_factor' | 'sign_up' | 'password_reset';

/** How long a ceremony may take between its options and its answer (WebAuthn's own timeout is 60 s by default). */
export const CHALLENGE_SECONDS = 300;

export interface PasskeyChallenge {
  /** SHA-256 digest of the challenge. */
  id: string;
  purpose: ChallengePurpose;
  /** The account it is bound to: the one registering, or the one whose second factor it asks for. */
  userId: string | null;
  /** The pending sign-in it is bound to (second factor). */
  pendingId: string | null;
  /** What the ceremony needs afterwards (sign-up: name and email; registration: the user handle; a reset: its link). */
  data: ChallengeData;
  createdAt: number;
  expiresAt: number;
}

export interface ChallengeData {
  userHandle?: string;
  name?: string;
  email?: string;
  /** The reset link (its id) a `password_reset` challenge is bound to. */
  linkId?: string;
}

export type RemovePasskey = 'removed' | 'unknown' | 'last';

export interface PasskeyStore {
  /** The person's passkeys, oldest first. */
  listForUser(userId: string): Promise<Passkey[]>;
  find(id: string): Promise<Passkey | undefined>;
  countForUser(userId: string): Promise<number>;
  /**
   * Stores a new passkey and `event` (user.passkey_added, which mails a notice) in one
   * transaction; 'taken' when the credential id is stored already (for any account).
   */
  add(passkey: Passkey, event: AuditEvent): Promise<'added' | 'taken'>;
  /**
   * Records a use: the new counter, backup state and time. Conditional on the stored counter
   * still being below the new one (or both 0), so two uses of one counter value cannot both
   * pass; false when it was not.
   */
  recordUse(id: string, counter: number, backedUp: boolean, now: number): Promise<boolean>;
  /** Renames one of the person's passkeys; false when it is not theirs. */
  rename(userId: string, id: string, name: string): Promise<boolean>;
  /**
   * Removes one of the person's passkeys and records `event` (user.passkey_removed) in one
   * transaction. 'last' (nothing removed) when it is the only way into the account left: an
   * account without a password keeps at least one passkey, whatever runs at the same time.
   */
  remove(userId: string, id: string, event: AuditEvent, now: number): Promise<RemovePasskey>;

  /** Stores a challenge; also deletes a bounded batch of expired ones. */
  createChallenge(challenge: PasskeyChallenge): Promise<void>;
  /** Takes a challenge: deletes it and returns it, once, if it has not expired. */
  takeChallenge(id: string, now: number): Promise<PasskeyChallenge | undefined>;
}
