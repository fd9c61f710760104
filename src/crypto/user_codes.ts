/**
 * RFC 8628 §6.1 user codes (issue 17): 8 characters from 20 consonants with no vowels (no words
 * spelled by accident) and no look-alikes (no 0/O, 1/I/L… : no digits at all, and neither A, E,
 * I, O, U nor Y), shown as `XXXX-XXXX`. 20^8 ≈ 2^34.6 codes: enough because a code lives at most
 * 10 minutes and guesses on /device are throttled (§5.1).
 * @module
 */
import { randomInt } from 'node:crypto';
import { digest } from './digest.ts';

export const USER_CODE_ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ';
export const USER_CODE_LENGTH = 8;

/** A fresh code, as shown: `XXXX-XXXX`. Each character uniformly from the alphabet (CSPRNG). */
export function randomUserCode(): string {
  let code = '';
  for (let i = 0; i < USER_CODE_LENGTH; i++) code += USER_CODE_ALPHABET[randomInt(USER_CODE_ALPHABET.length)];
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

/**
 * What a person typed, as the 8 characters of a code, or undefined when it cannot be one. Case,
 * spaces and dashes are forgiven (§6.1: people type it), nothing else.
 */
export function normalizeUserCode(typed: string): string | undefined {
  if (typed.length > 32) return undefined;
  const code = typed.toUpperCase().replace(/[\s-]/g, '');
  if (code.length !== USER_CODE_LENGTH) return undefined;
  for (const c of code) if (!USER_CODE_ALPHABET.includes(c)) return undefined;
  return code;
}

/** The stored form of a normalized code: its SHA-256 digest, never the code. */
export function userCodeDigest(normalized: string): string {
  return digest(`user_code:${normalized}`);
}

/** `XXXXXXXX` → `XXXX-XXXX`. */
export function formatUserCode(normalized: string): string {
  return `${normalized.slice(0, 4)}-${normalized.slice(4)}`;
}
