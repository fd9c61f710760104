/**
 * Signing keys: ES256 by default. The ring holds the current key (signs) and the previous one
 * (still verifies, still published) so a rotation never breaks a token in flight (OIDC Core §10.1.1).
 * @module
 */
import { randomBytes } from 'node:crypto';
import { createPrivateKey, type JsonWebKey as NodeJsonWebKey, type KeyObject } from 'node:crypto';
import { exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import type { SealedKey } from '../domain/keys.ts';
import { seal, unseal } from './key_encryption.ts';

export const SIGNING_ALG = 'ES256';


interface LoadedKey {
  kid: string;
  alg: string;
  publicJwk: JWK;
  publicKey: CryptoKey;
  privateKey?: CryptoKey;
}

export async function generateSigningKey(kek: Buffer, now: number): Promise<SealedKey> {
  const kid = randomBytes(12).toString('base64url');
  const { publicKey, privateKey } = await generateKeyPair(SIGNING_ALG, { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: SIGNING_ALG, use: 'sig' };
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: SIGNING_ALG };
  return {
    kid,
    alg: SIGNING_ALG,
    publicJwk,
    sealedPrivateJwk: seal(kek, JSON.stringify(privateJwk), kid),
    state: 'current',
    createdAt: now,
  };
}

/** Only the members a public JWK may carry: never `d`, `p`, `q`, `dp`, `dq`, `qi` or `k` (SECURITY 31). */
function publicMembers(jwk: JWK): JWK {
  const { kty, crv, x, y, n, e, kid, alg, use } = jwk;
  return Object.fromEntries(Object.entries({ kty, crv, x, y, n, e, kid, alg, use }).filter(([, v]) => v !== undefined));
}

export class KeyRing {
  private constructor(
    private readonly signer: LoadedKey & { privateKey: CryptoKey; privateKeyObject: KeyObject },
    private readonly byKid: Map<string, LoadedKey>,
  ) {}

  /** Builds the ring from stored keys: the current one signs; current and previous verify. */
  static async load(kek: Buffer, keys: readonly SealedKey[]): Promise<KeyRing> {
    const byKid = new Map<string, LoadedKey>();
    let signer: (LoadedKey & { privateKey: CryptoKey; privateKeyObject: KeyObject }) | undefined;
    for (const key of keys) {
      if (key.state === 'retired') continue;
      const loaded: LoadedKey = {
        kid: key.kid,
        alg: key.alg,
        publicJwk: publicMembers(key.publicJwk as JWK),
        publicKey: (await importJWK(key.publicJwk as JWK, key.alg)) as CryptoKey,
      };
      if (key.state === 'current') {
        const privateJwk = JSON.parse(unseal(kek, key.sealedPrivateJwk, key.kid)) as JWK;
        signer = {
          ...loaded,
          privateKey: (await importJWK(privateJwk, key.alg)) as CryptoKey,
          // node:crypto signs synchronously, about 3× faster than WebCrypto's thread-pool round trip (jwt.ts).
          privateKeyObject: createPrivateKey({ key: privateJwk as NodeJsonWebKey, format: 'jwk' }),
        };
        byKid.set(key.kid, signer);
      } else {
        byKid.set(key.kid, loaded);
      }
    }
    if (!signer) throw new Error('no current signing key');
    return new KeyRing(signer, byKid);
  }

  get currentKid(): string {
    return this.signer.kid;
  }

  /** The key that signs new tokens. */
  signingKey(): { kid: string; alg: string; key: CryptoKey; keyObject: KeyObject } {
    return { kid: this.signer.kid, alg: this.signer.alg, key: this.signer.privateKey, keyObject: this.signer.privateKeyObject };
  }

  /** A verification key by `kid`, only from our own set (never from `jku`, `x5u` or an embedded `jwk`). */
  verificationKey(kid: string | undefined): { alg: string; key: CryptoKey } | undefined {
    const found = kid === undefined ? undefined : this.byKid.get(kid);
    return found && { alg: found.alg, key: found.publicKey };
  }

  /** The published JWKS: public members only, current key first. */
  jwks(): { keys: JWK[] } {
    const keys = [...this.byKid.values()].sort((a) => (a.kid === this.signer.kid ? -1 : 1));
    return { keys: keys.map((k) => k.publicJwk) };
  }
}
