/**
 * Password hashing with argon2id (OWASP: m=19 MiB, t=2, p=1). @node-rs/argon2 runs the hash on
 * libuv's thread pool, so a flood of sign-ins does not stall the event loop that serves tokens.
 * @module
 */
import { hash, verify } from '@node-rs/argon2';
import { passwordHashing } from './hash_gate.ts';

/** Longest password accepted, in UTF-8 bytes; longer input is refused before hashing (SECURITY 34). */
export const MAX_PASSWORD_BYTES = 1024;
export const MIN_PASSWORD_CHARS = 8;

const OPTIONS = { memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return passwordHashing.run(() => hash(password, OPTIONS));
}

// Verifying against this when the account does not exist costs the same as a real check (SECURITY 33).
let dummyHash: Promise<string> | undefined;

/** Verifies a password; with no stored hash it still spends one argon2 verification and returns false. */
export async function verifyPassword(stored: string | null | undefined, password: string): Promise<boolean> {
  if (Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_BYTES) return false;
  if (!stored) {
    dummyHash ??= hashPassword('tessera-dummy-password');
    const dummy = await dummyHash;
    await passwordHashing.run(() => verify(dummy, password)).catch(() => false);
    return false;
  }
  try {
    return await passwordHashing.run(() => verify(stored, password));
  } catch {
    return false;
  }
}
