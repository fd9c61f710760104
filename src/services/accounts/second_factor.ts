/**
 * The person's second factor: a TOTP secret (RFC 6238) kept sealed with AES-256-GCM under a key
 * derived from the form key (itself derived from the key-encryption key), bound to the person's
 * id, and ten single-use recovery codes kept as digests. A TOTP code is good once: the store
 * records the step it used and refuses it or any earlier step again.
 * @module
 */
import type { Clock } from '../../clock.ts';
import type { Stores } from '../../domain/stores.ts';
import { digest } from '../../crypto/digest.ts';
import { seal, unseal } from '../../crypto/key_encryption.ts';
import { totpSealingKey } from '../../crypto/derived_keys.ts';
import { matchTotp, newRecoveryCode, normalizeRecoveryCode } from '../../crypto/totp.ts';

export const RECOVERY_CODE_COUNT = 10;

type FactorDeps = { formKey: Buffer; stores: Stores; clock: Clock };

export function sealSecret(deps: { formKey: Buffer }, userId: string, secret: string): string {
  return seal(totpSealingKey(deps.formKey), secret, `totp:${userId}`);
}

export function unsealSecret(deps: { formKey: Buffer }, userId: string, sealed: string): string {
  return unseal(totpSealingKey(deps.formKey), sealed, `totp:${userId}`);
}

/** True when the person must give a second factor at sign-in. */
export async function hasSecondFactor(deps: FactorDeps, userId: string): Promise<boolean> {
  const totp = await deps.stores.users.findTotp(userId);
  return totp !== undefined && totp.enabledAt !== null;
}

/** New recovery codes: the codes to show once, and the digests to store. */
export function newRecoveryCodes(): { codes: string[]; digests: string[] } {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
  return { codes, digests: codes.map((c) => digest(normalizeRecoveryCode(c))) };
}

/**
 * Checks a second factor: a current TOTP code (once) or an unused recovery code (once).
 * Returns which one matched, or undefined.
 */
export async function checkSecondFactor(deps: FactorDeps, userId: string, input: string | undefined): Promise<'otp' | 'recovery' | undefined> {
  if (input === undefined || input.length > 64) return undefined;
  const totp = await deps.stores.users.findTotp(userId);
  if (!totp || totp.enabledAt === null) return undefined;
  const code = input.replace(/\s/g, '');
  if (/^\d{6}$/.test(code)) {
    const step = matchTotp(unsealSecret(deps, userId, totp.secretSealed), code, deps.clock.now(), totp.lastStep);
    return step !== undefined && (await deps.stores.users.useTotpStep(userId, step)) ? 'otp' : undefined;
  }
  const used = await deps.stores.users.useRecoveryCode(userId, digest(normalizeRecoveryCode(code)), deps.clock.now());
  return used ? 'recovery' : undefined;
}
