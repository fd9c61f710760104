/**
 * Single-use links mailed to a person (issue 15): prove an address, reset a password, confirm a
 * new address. The row holds no secret: the link is `<id>.<mac>`, the MAC made with a key derived
 * from the key-encryption key (crypto/account_links.ts), so neither a copy of the database nor of
 * the outbox opens an account. A link is good once, until `expiresAt`, and only while the thing it
 * was made for still stands: the same address for a verification, the same password for a reset.
 * @module
 */
import type { LinkPurpose, MailIntent } from './mail.ts';

export type { LinkPurpose };

/** How long each kind of link lives. */
export const LINK_LIFETIME_SECONDS: Record<LinkPurpose, number> = {
  verify_email: 24 * 3600,
  reset_password: 30 * 60,
  change_email: 24 * 3600,
};

/**
 * How long the browser that signed up can turn its verification link into a session (issue 20):
 * the cookie's lifetime, and checked here too against the link's `createdAt`, since a browser may
 * keep a cookie longer than told. Short: the session's `auth_time` is the sign-up's time
 * (services/accounts/link_sign_in.ts), and past this the link only proves the address.
 */
export const SIGN_UP_BROWSER_SECONDS = 30 * 60;

export interface AccountLink {
  id: string;
  userId: string;
  purpose: LinkPurpose;
  /** The address the link was mailed to (normalized). */
  email: string;
  /**
   * For a reset: a digest of the password hash it replaces; the link dies with that password.
   * For a change of address: the address it changes from; the link dies when that changes first.
   */
  stamp: string | null;
  createdAt: number;
  expiresAt: number;
  usedAt: number | null;
  /**
   * A sign-up's verification link (issue 20): the digest of the random value the signing-up
   * browser got in a cookie (crypto/account_links.ts), and the pending authorization the sign-up
   * started from. Absent (null) on every other link.
   */
  browserDigest?: string | null;
  interactionId?: string | null;
}

export interface AccountLinkStore {
  /** A new link and the message that carries it, in one transaction. */
  create(link: Omit<AccountLink, 'usedAt'>, mail: MailIntent): Promise<void>;
  find(id: string): Promise<AccountLink | undefined>;
  /** The person's newest link of that purpose, used or not (for "send again" and its throttle). */
  latest(userId: string, purpose: LinkPurpose): Promise<AccountLink | undefined>;
  /**
   * The one message a "Forgot your password?" request writes, with its link row when it carries
   * one: in one transaction of the same statements either way (a write that matches no row stands
   * in for the link), so the request costs the same whatever the address names (SECURITY 33).
   */
  writeResetMail(mail: MailIntent, link: Omit<AccountLink, 'usedAt'> | undefined, now: number): Promise<void>;
  /** When the person's links of that purpose made since `since` were made, oldest first (per-account throttles, on every node). */
  createdSince(userId: string, purpose: LinkPurpose, since: number): Promise<number[]>;
}

/** Why a link cannot be used, each with its own page (issue 15, "Tests"). */
export type LinkProblem = 'unknown' | 'used' | 'expired' | 'stale';

/**
 * Whether a link is good at `now`. `stale`: what it was made for changed since (the address is no
 * longer the account's, the password it would replace has changed).
 */
export function linkProblem(link: AccountLink | undefined, purpose: LinkPurpose, now: number, current: { email: string; stamp: string | null }): LinkProblem | undefined {
  if (!link || link.purpose !== purpose) return 'unknown';
  if (link.usedAt !== null) return 'used';
  if (link.expiresAt <= now) return 'expired';
  if (purpose === 'verify_email' && link.email !== current.email) return 'stale';
  if (purpose === 'reset_password' && link.stamp !== current.stamp) return 'stale';
  // A change of address made from an address the account no longer has (another change came first).
  if (purpose === 'change_email' && link.stamp !== current.email) return 'stale';
  return undefined;
}
