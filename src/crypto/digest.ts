/**
 * Tokens and secrets are stored only as SHA-256 digests (RFC 6819 §5.1.4.1.3) and compared in
 * constant time, so a leaked database leaks nothing usable.
 * @module
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** base64url(SHA-256(value)): the storage key of a token or secret. */
export function digest(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('base64url');
}

/** Compares two strings in time that depends only on their lengths. */
export function constantEquals(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  if (left.length !== right.length) {
    // Still spend the comparison so a length mismatch is not faster to learn.
    timingSafeEqual(left, left);
    return false;
  }
  return timingSafeEqual(left, right);
}

/** HMAC-SHA-256, base64url: binds a form token to a session and a transaction. */
export function hmac(key: Buffer, ...parts: string[]): string {
  const mac = createHmac('sha256', key);
  for (const part of parts) mac.update(part.length + ':' + part);
  return mac.digest('base64url');
}
