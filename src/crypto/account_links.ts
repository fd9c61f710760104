/**
 * The value of a link mailed to a person (domain/account_links.ts): `<id>.<mac>`, where the MAC is
 * HMAC-SHA-256 over the purpose and the row id under a key derived from the key-encryption key.
 * The database keeps only the id, so a copy of it (or of the outbox, which names the id) opens
 * nothing; the sender recomputes the value when it sends the mail. Rotating the KEK voids the
 * links in flight, which live 30 minutes to a day.
 * @module
 */
import { constantEquals, digest, hmac } from './digest.ts';
import { looksLike, randomId, randomToken } from './random.ts';

/** A new link row id: 128 random bits. */
export function newLinkId(): string {
  return randomId();
}

export function linkValue(key: Buffer, purpose: string, id: string): string {
  return `${id}.${hmac(key, 'account-link', purpose, id)}`;
}

/** The row id named by a link value of that purpose, if its MAC is right; checked before any lookup. */
export function linkIdOf(key: Buffer, purpose: string, value: string | undefined): string | undefined {
  if (typeof value !== 'string' || value.length > 100) return undefined;
  const dot = value.indexOf('.');
  if (dot <= 0) return undefined;
  const id = value.slice(0, dot);
  return constantEquals(value, linkValue(key, purpose, id)) ? id : undefined;
}

/**
 * The value a sign-up sets in the signing-up browser's cookie (issue 20), and the digest stored
 * with its verification link: 256 random bits only that browser has. A sign-up with a taken
 * address gets one too, stored nowhere, so the two answers carry the same cookie (SECURITY 33).
 */
export function newBrowserBinding(): { value: string; digest: string } {
  const value = randomToken('signUpBrowser');
  return { value, digest: digest(value) };
}

/** Whether a presented cookie value is the one whose digest the link keeps (constant time). */
export function browserBindingMatches(value: string | undefined, stored: string | null | undefined): boolean {
  if (typeof value !== 'string' || !stored || !looksLike('signUpBrowser', value)) return false;
  return constantEquals(digest(value), stored);
}
