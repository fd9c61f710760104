/**
 * A directory's client secret at rest: sealed under the key-encryption key like a signing key
 * (AES-256-GCM, ./key_encryption.ts), with the directory id as associated data, so the database
 * alone cannot act as Tessera towards a company directory, and a sealed secret copied onto
 * another directory's row does not open.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { seal, unseal } from './key_encryption.ts';

function context(directoryId: string): string {
  return `directory:${directoryId}`;
}

export function sealDirectorySecret(kek: Buffer, directoryId: string, secret: string): string {
  return seal(kek, secret, context(directoryId));
}

export function unsealDirectorySecret(kek: Buffer, directoryId: string, sealed: string): string {
  return unseal(kek, sealed, context(directoryId));
}

/** 256 random bits, base64url: the transaction cookie, and each of `state`, `nonce` and the PKCE verifier (SECURITY 46, 47). */
export function upstreamRandom(): string {
  return randomBytes(32).toString('base64url');
}
