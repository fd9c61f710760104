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

/** True when a browser says the request comes from another site (or from an opaque origin). */
export function isCrossSite(request: FastifyRequest, issuer: string): boolean {
  if (request.headers['sec-fetch-site'] === 'cross-site') return true;
  const origin = request.headers.origin;
  return origin !== undefined && origin !== new URL(issuer).origin;
}
