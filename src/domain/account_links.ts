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

export interface AccountLink {
  id: string;
  userId: string;
  purpose: LinkPurpose;
  /** The address the link was mailed to (normalized). */
  email: string;
  /** For a reset: a digest of the password hash it replaces; the link dies with that password. */
  stamp: string | null;
  createdAt: number;
  expiresAt: number;
  usedAt: number | null;
}

export interface AccountLinkStore {
  /** A new link and the message that carries it, in one transaction. */
  create(link: Omit<AccountLink, 'usedAt'>, mail: MailIntent): Promise<void>;
  find(id: string): Promise<AccountLink | undefined>;
  /** The person's newest link of that purpose, used or not (for "send again" and its throttle). */
  latest(userId: string, purpose: LinkPurpose): Promise<AccountLink | undefined>;
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
  return undefined;
}
