/**
 * DPoP server nonces (RFC 9449 §8, §9), when the operator turns them on (`DPOP_NONCE=on`). A nonce
 * is stateless, so every node issues and accepts the same ones with nothing stored: the number of
 * a five-minute period and an HMAC of it under a key derived from the key-encryption key. The
 * current and the previous period's nonces are accepted, so a nonce lives five to ten minutes, and a
 * proof cannot have been signed before its nonce was handed out.
 * @module
 */
import { constantEquals, hmac } from './digest.ts';
import { dpopNonceKey } from './derived_keys.ts';

/** Seconds a nonce period lasts. */
const DPOP_NONCE_PERIOD = 300;

function nonceFor(key: Buffer, period: number): string {
  return `${period.toString(36)}.${hmac(key, String(period)).slice(0, 22)}`;
}

/** The nonce to hand out now (the `DPoP-Nonce` header). */
export function currentDpopNonce(formKey: Buffer, now: number): string {
  return nonceFor(dpopNonceKey(formKey), Math.floor(now / DPOP_NONCE_PERIOD));
}

/** True for a nonce of ours from this period or the one before. */
export function isFreshDpopNonce(formKey: Buffer, nonce: unknown, now: number): boolean {
  if (typeof nonce !== 'string' || nonce.length > 64) return false;
  const key = dpopNonceKey(formKey);
  const period = Math.floor(now / DPOP_NONCE_PERIOD);
  return constantEquals(nonce, nonceFor(key, period)) || constantEquals(nonce, nonceFor(key, period - 1));
}
