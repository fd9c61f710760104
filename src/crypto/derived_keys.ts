/**
 * Keys derived from the key-encryption key, each for one purpose, so that one never doubles as
 * another. Rotating the KEK changes all of them (docs/operators.md, "Rotating the key-encryption key").
 */
import { hmac } from './digest.ts';
import { deriveKey } from './key_encryption.ts';

/** Signs form tokens (CSRF) and page handles. */
export function formKeyOf(kek: Buffer): Buffer {
  return deriveKey(kek, 'form-tokens');
}

/** Seals people's TOTP secrets (AES-256-GCM, bound to `totp:<user id>`). */
export function totpSealingKey(formKey: Buffer): Buffer {
  return Buffer.from(hmac(formKey, 'totp-secret-sealing'), 'base64url');
}

/** Makes the secret half of links mailed to people (crypto/account_links.ts). */
export function accountLinkKey(formKey: Buffer): Buffer {
  return Buffer.from(hmac(formKey, 'account-links'), 'base64url');
}

/** Signs DPoP server nonces (crypto/dpop_nonces.ts, RFC 9449 §8). */
export function dpopNonceKey(formKey: Buffer): Buffer {
  return Buffer.from(hmac(formKey, 'dpop-nonces'), 'base64url');
}
