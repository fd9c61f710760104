/**
 * Re-sealing everything sealed under the key-encryption key (KEK) under a new one, and checking
 * that a KEK opens everything. What is sealed, and under which key:
 * - signing keys' private JWKs: the KEK itself, the kid as associated data (signing_keys.ts);
 * - company directories' client secrets: the KEK, `directory:<id>` (directory_secrets.ts);
 * - people's TOTP secrets: HMAC(HKDF(KEK, "form-tokens"), "totp-secret-sealing"), `totp:<user id>`
 *   (services/accounts/second_factor.ts; the derivation is repeated here and test/cli/kek.test.ts
 *   proves both agree).
 * The form key (HKDF of the KEK) seals nothing stored, but it changes with the KEK: see docs/operators.md.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SealedKind, SealedValue } from '../domain/sealed_values.ts';
import { formKeyOf, totpSealingKey } from './derived_keys.ts';
import { kekId, KekMismatchError, seal, sealedKekId, unseal, type KekSource } from './key_encryption.ts';

/** Reads a key as the server does (base64 or base64url of 32 bytes); throws naming `where` otherwise. */
export function parseKek(text: string, where: string): Buffer {
  const key = Buffer.from(text.trim(), 'base64url');
  if (key.length !== 32) throw new Error(`${where} does not hold base64 of exactly 32 bytes`);
  return key;
}

/** The KEK this installation uses now, never generating one: from KEY_ENCRYPTION_KEY or DATA_DIR/kek. */
export function currentKek(source: KekSource): { key: Buffer; file?: string } | undefined {
  if (source.keyEncryptionKey) return { key: parseKek(source.keyEncryptionKey, 'KEY_ENCRYPTION_KEY') };
  const file = join(source.dataDir, 'kek');
  return existsSync(file) ? { key: parseKek(readFileSync(file, 'utf8'), file), file } : undefined;
}

function totpKeyOf(kek: Buffer): Buffer {
  return totpSealingKey(formKeyOf(kek));
}

function sealingKey(kind: SealedKind, kek: Buffer): Buffer {
  return kind === 'totp_secret' ? totpKeyOf(kek) : kek;
}

function context(value: SealedValue): string {
  if (value.kind === 'signing_key') return value.id;
  return value.kind === 'totp_secret' ? `totp:${value.id}` : `directory:${value.id}`;
}

/** A stored value the key at hand cannot open. */
export class UnopenableValueError extends Error {
  constructor(value: SealedValue, cause: unknown) {
    const reason = cause instanceof KekMismatchError ? 'it is sealed under another key-encryption key' : 'authentication failed';
    super(`cannot open ${value.kind.replace('_', ' ')} ${value.id} (${reason}); nothing was changed`, { cause });
  }
}

function open(kek: Buffer, value: SealedValue): string {
  try {
    return unseal(sealingKey(value.kind, kek), value.sealed, context(value));
  } catch (err) {
    throw new UnopenableValueError(value, err);
  }
}

/** Throws UnopenableValueError on the first value `kek` does not open. */
export function checkOpens(kek: Buffer, values: readonly SealedValue[]): void {
  for (const value of values) open(kek, value);
}

/**
 * The re-seal step for SealedValueStore.resealAll: a value already under `newKek` is checked and
 * kept (so an interrupted or repeated rotation simply finishes); any other is opened with
 * `oldKek` and sealed anew under `newKek`.
 */
export function resealer(oldKek: Buffer, newKek: Buffer): (value: SealedValue) => string | undefined {
  return (value) => {
    const newKey = sealingKey(value.kind, newKek);
    if (sealedKekId(value.sealed) === kekId(newKey)) {
      open(newKek, value);
      return undefined;
    }
    return seal(newKey, open(oldKek, value), context(value));
  };
}

/** True when `value` is sealed under `kek` (by its key id; v1 values name none). */
export function sealedUnder(kek: Buffer, value: SealedValue): boolean {
  return sealedKekId(value.sealed) === kekId(sealingKey(value.kind, kek));
}

export { kekId };

/** A fresh key-encryption key: 32 random bytes. */
export function newKek(): Buffer {
  return randomBytes(32);
}
