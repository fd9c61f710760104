/** PKCE (RFC 7636): S256 only; `plain` is refused at the authorization endpoint. */
import { createHash } from 'node:crypto';
import { constantEquals } from './digest.ts';

/** RFC 7636 §4.1: 43–128 characters of [A-Z a-z 0-9 - . _ ~]. The same grammar bounds the challenge we accept. */
export const PKCE_VALUE = /^[A-Za-z0-9\-._~]{43,128}$/;

/** RFC 7636 §4.2: a S256 challenge is base64url(SHA-256(verifier)), exactly 43 characters. */
export const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

/** RFC 7636 §4.2: BASE64URL(SHA256(ASCII(code_verifier))), the challenge a verifier answers. */
export function s256Challenge(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

/** RFC 7636 §4.6: BASE64URL(SHA256(ASCII(code_verifier))) == code_challenge. */
export function verifyS256(verifier: string, challenge: string): boolean {
  return constantEquals(s256Challenge(verifier), challenge);
}
