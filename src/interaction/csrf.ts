/**
 * Cross-site request forgery defences for every state-changing form (RFC 6749 §10.12,
 * ASVS 3.5.1): a token bound to what the form acts on, and a refusal of cross-site posts read
 * from Origin and Sec-Fetch-Site (both set by browsers, not by page script).
 * @module
 */
import type { FastifyRequest } from 'fastify';
import { constantEquals, hmac } from '../crypto/digest.ts';

export function formToken(key: Buffer, ...parts: string[]): string {
  return hmac(key, ...parts);
}

export function tokenMatches(sent: string | undefined, expected: string): boolean {
  return sent !== undefined && constantEquals(sent, expected);
}

/**
 * True when a browser says the request comes from anywhere but our own origin. `Origin: null`
 * (an opaque origin) is refused unless Sec-Fetch-Site vouches for our own origin: our pages send
 * `Referrer-Policy: no-referrer`, and with that policy browsers send `Origin: null` on their own
 * same-origin form posts (Fetch, "serializing a request origin"). Chromium showed this.
 */
export function isCrossSite(request: FastifyRequest, issuer: string): boolean {
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return true;
  const origin = request.headers.origin;
  if (origin === undefined) return false;
  if (origin === 'null') return site !== 'same-origin';
  return origin !== new URL(issuer).origin;
}
