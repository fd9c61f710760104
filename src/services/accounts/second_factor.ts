/**
 * The person's second factor: a TOTP secret (RFC 6238) kept sealed with AES-256-GCM under a key
 * derived from the form key (itself derived from the key-encryption key), bound to the person's
 * id, and ten single-use recovery codes kept as digests. A TOTP code is good once: the store
 * records the step it used and refuses it or any earlier step again.
 * @module
 */
import type { Clock } from '../../clock.ts';
import type { Stores } from '../../domain/stores.ts';
import type { Throttles } from '../../caches/throttles.ts';
import type { ClientInfo } from './sessions.ts';
import { clientNetwork } from '../../caches/throttles.ts';
import { digest } from '../../crypto/digest.ts';
import { seal, unseal } from '../../crypto/key_encryption.ts';
import { totpSealingKey } from '../../crypto/derived_keys.ts';
import { matchTotp, newRecoveryCode, normalizeRecoveryCode } from '../../crypto/totp.ts';

export const RECOVERY_CODE_COUNT = 10;

/**
 * Wrong second-factor codes allowed per account in FACTOR_WINDOW_SECONDS, on every node together
 * and across pending sign-ins and password resets; a right password does not reset them (issue 13,
 * defect 3). With six digits that is at most 40 guesses an hour against a stolen password.
 */
export const FACTOR_FAILURE_LIMIT = 10;
export const FACTOR_WINDOW_SECONDS = 900;

type FactorDeps = { formKey: Buffer; stores: Stores; clock: Clock };

export function sealSecret(deps: { formKey: Buffer }, userId: string, secret: string): string {
  return seal(totpSealingKey(deps.formKey), secret, `totp:${userId}`);
}

export function unsealSecret(deps: { formKey: Buffer }, userId: string, sealed: string): string {
  return unseal(totpSealingKey(deps.formKey), sealed, `totp:${userId}`);
}

/**
 * True when the person must give a second factor at sign-in: TOTP, or a passkey (issue 16): a
 * password alone never opens an account that has either.
 */
export async function hasSecondFactor(deps: FactorDeps, userId: string): Promise<boolean> {
  const [totp, passkeys] = await Promise.all([deps.stores.users.findTotp(userId), deps.stores.passkeys.countForUser(userId)]);
  return (totp !== undefined && totp.enabledAt !== null) || passkeys > 0;
}

/** New recovery codes: the codes to show once, and the digests to store. */
export function newRecoveryCodes(): { codes: string[]; digests: string[] } {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
  return { codes, digests: codes.map((c) => digest(normalizeRecoveryCode(c))) };
}

/** Where a recovery code is spent, for its `user.recovery_code_used` event and notice. */
export interface RecoveryUse {
  caller: ClientInfo;
  via: string;
}

/**
 * Checks a second factor: a current TOTP code (once) or an unused recovery code (once).
 * Returns which one matched, or undefined. With `recoveryUse`, a recovery code is marked used in
 * one transaction with its `user.recovery_code_used` event (and so its notice).
 */
export async function checkSecondFactor(deps: FactorDeps, userId: string, input: string | undefined, recoveryUse?: RecoveryUse): Promise<'otp' | 'recovery' | undefined> {
  if (input === undefined || input.length > 64) return undefined;
  const totp = await deps.stores.users.findTotp(userId);
  if (!totp || totp.enabledAt === null) return undefined;
  const code = input.replace(/\s/g, '');
  if (/^\d{6}$/.test(code)) {
    const step = matchTotp(unsealSecret(deps, userId, totp.secretSealed), code, deps.clock.now(), totp.lastStep);
    return step !== undefined && (await deps.stores.users.useTotpStep(userId, step)) ? 'otp' : undefined;
  }
  const event = recoveryUse && ((remaining: number) => ({ type: 'user.recovery_code_used', userId, ip: recoveryUse.caller.ip, userAgent: recoveryUse.caller.userAgent, detail: { remaining, via: recoveryUse.via } }));
  const used = await deps.stores.users.useRecoveryCode(userId, digest(normalizeRecoveryCode(code)), deps.clock.now(), event);
  return used ? 'recovery' : undefined;
}

/** A code checked against the account's limit: right (which kind), refused unchecked, or wrong. */
export type LimitedFactorCheck =
  | { kind: 'ok'; factor: 'otp' | 'recovery' }
  | { kind: 'throttled'; retryAfter: number }
  /** `retryAfter`: this wrong code used up the account's allowance; the next one is refused unchecked. */
  | { kind: 'wrong'; retryAfter: number | undefined };

/**
 * A second factor given where it stands between a person and their account (the second step of
 * sign-in, a password reset): refused unchecked past FACTOR_FAILURE_LIMIT wrong codes per account
 * (in the database, so on every node) and past the per-network sign-in throttle (SECURITY 32); a
 * wrong code counts against both. A recovery code used is recorded (`user.recovery_code_used`,
 * with the codes left) in the transaction that spends it, which mails the person a notice (issue 15).
 */
export async function checkLimitedSecondFactor(
  deps: FactorDeps & { throttles: Throttles },
  userId: string,
  code: string | undefined,
  caller: ClientInfo,
  via: string,
): Promise<LimitedFactorCheck> {
  const { stores, clock } = deps;
  const now = clock.now();
  const before = await stores.sessions.countFactorFailures(userId, now, FACTOR_WINDOW_SECONDS);
  if (before.failures >= FACTOR_FAILURE_LIMIT) return { kind: 'throttled', retryAfter: factorRetryAfter(clock, before.windowStartedAt) };
  // A flood of codes from one network is slowed like a flood of passwords (SECURITY 32).
  const network = clientNetwork(caller.ip);
  const wait = deps.throttles.loginPerIp.take(network);
  if (wait > 0) return { kind: 'throttled', retryAfter: wait };

  const factor = await checkSecondFactor(deps, userId, code, { caller, via });
  if (factor === undefined) {
    const after = await stores.sessions.recordFactorFailure(userId, now, FACTOR_WINDOW_SECONDS);
    return { kind: 'wrong', retryAfter: after.failures >= FACTOR_FAILURE_LIMIT ? factorRetryAfter(clock, after.windowStartedAt) : undefined };
  }
  deps.throttles.loginPerIp.refund(network);
  return { kind: 'ok', factor };
}

/** Seconds until the account's window of wrong codes ends. */
export function factorRetryAfter(clock: Pick<Clock, 'now'>, windowStartedAt: number): number {
  return Math.max(1, windowStartedAt + FACTOR_WINDOW_SECONDS - clock.now());
}
