/**
 * The key-encryption key (KEK) protects signing keys at rest: private JWKs are sealed with
 * AES-256-GCM before they reach the database, so the database alone cannot sign tokens.
 * Sealed values read `v2.<kek id>.<iv|tag|ciphertext>` (`v1.` values, without the id, still open).
 * @module
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface KekSource {
  keyEncryptionKey?: string;
  dataDir: string;
}

/**
 * The KEK from `KEY_ENCRYPTION_KEY`, or else from `DATA_DIR/kek`, generated there on first use.
 * `onGenerated` lets the caller warn that the key now lives next to the data it protects.
 */
export function loadKeyEncryptionKey(source: KekSource, onGenerated?: (path: string) => void): Buffer {
  if (source.keyEncryptionKey) return Buffer.from(source.keyEncryptionKey, 'base64url');
  const path = join(source.dataDir, 'kek');
  if (existsSync(path)) {
    const key = Buffer.from(readFileSync(path, 'utf8').trim(), 'base64url');
    if (key.length !== 32) throw new Error(`${path} does not hold a 32-byte key`);
    return key;
  }
  mkdirSync(source.dataDir, { recursive: true });
  const key = randomBytes(32);
  writeFileSync(path, key.toString('base64url') + '\n', { mode: 0o600, flag: 'wx' });
  onGenerated?.(path);
  return key;
}

/**
 * A short public name for a key: the first 8 bytes of HKDF-SHA-256(key, "tessera:kek-id"), hex.
 * Written in front of every sealed value, so a process holding another key-encryption key (a
 * node not yet given the rotated one) fails with a message naming both keys, not with an opaque
 * AES-GCM authentication error. One-way: it reveals nothing usable about the key.
 */
export function kekId(key: Buffer): string {
  return Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), 'tessera:kek-id', 8)).toString('hex');
}

/** The key id a sealed value names (`v2.<id>.…`), or undefined for a `v1.` value (sealed before ids existed). */
export function sealedKekId(sealed: string): string | undefined {
  const match = /^v2\.([0-9a-f]{16})\./.exec(sealed);
  return match?.[1];
}

/** A value sealed under another key-encryption key than the one this process holds. */
export class KekMismatchError extends Error {
  constructor(
    readonly sealedWith: string,
    readonly held: string,
  ) {
    super(
      `a value in the database is sealed under key-encryption key ${sealedWith}, but this process holds ${held}; ` +
        'give every node and the CLI the same KEY_ENCRYPTION_KEY (or DATA_DIR/kek), the one "tessera keys rotate-kek" last installed',
    );
  }
}

/** Seals `plaintext` under the KEK; `context` (the kid) is bound as associated data. */
export function seal(kek: Buffer, plaintext: string, context: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', kek, iv);
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return `v2.${kekId(kek)}.` + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
}

export function unseal(kek: Buffer, sealed: string, context: string): string {
  let payload: string;
  if (sealed.startsWith('v1.')) {
    payload = sealed.slice(3);
  } else {
    const sealedWith = sealedKekId(sealed);
    if (sealedWith === undefined) throw new Error('unknown sealed-key format');
    const held = kekId(kek);
    if (sealedWith !== held) throw new KekMismatchError(sealedWith, held);
    payload = sealed.slice(3 + sealedWith.length + 1);
  }
  const raw = Buffer.from(payload, 'base64url');
  const decipher = createDecipheriv('aes-256-gcm', kek, raw.subarray(0, 12));
  decipher.setAAD(Buffer.from(context, 'utf8'));
  decipher.setAuthTag(raw.subarray(12, 28));
  return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
}

/** A subkey for one purpose (HKDF-SHA-256), so every node sharing the KEK derives the same one. */
export function deriveKey(kek: Buffer, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', kek, Buffer.alloc(0), `tessera:${purpose}`, 32));
}
