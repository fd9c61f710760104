/**
 * DPoP proofs made by hand (RFC 9449 §4.2), for the cases a real client library never sends: another
 * URL or method, an old or future `iat`, alg none or HS256, a private key in the header, a bad
 * signature. The good cases are signed the same way, so only the one thing a test changes differs.
 */
import { createHash, randomBytes } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';

export interface ProofKey {
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  publicJwk: JWK;
  privateJwk: JWK;
  jkt: string;
}

export async function proofKey(): Promise<ProofKey> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  return { privateKey, publicKey, publicJwk, privateJwk: await exportJWK(privateKey), jkt: await calculateJwkThumbprint(publicJwk, 'sha256') };
}

export interface ProofOptions {
  htm: string;
  htu: string;
  /** Seconds since the epoch; default now. */
  iat?: number;
  jti?: string;
  /** The access token whose hash goes into `ath`. */
  accessToken?: string;
  /** Replaces `ath` as given. */
  ath?: string;
  /** Header members to change (typ, jwk). */
  header?: Record<string, unknown>;
  /** A server nonce (RFC 9449 §8). */
  nonce?: string;
}

export function ath(accessToken: string): string {
  return createHash('sha256').update(accessToken, 'ascii').digest('base64url');
}

export async function proof(key: ProofKey, options: ProofOptions): Promise<string> {
  const claims: Record<string, unknown> = {
    htm: options.htm,
    htu: options.htu,
    jti: options.jti ?? randomBytes(16).toString('base64url'),
    iat: options.iat ?? Math.floor(Date.now() / 1000),
  };
  if (options.accessToken !== undefined) claims.ath = ath(options.accessToken);
  if (options.ath !== undefined) claims.ath = options.ath;
  if (options.nonce !== undefined) claims.nonce = options.nonce;
  return new SignJWT(claims).setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: key.publicJwk, ...options.header }).sign(key.privateKey);
}

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** An unsecured JWT (alg none) with a proof's header and claims. */
export function unsignedProof(key: ProofKey, claims: Record<string, unknown>): string {
  return `${b64({ alg: 'none', typ: 'dpop+jwt', jwk: key.publicJwk })}.${b64({ jti: randomBytes(16).toString('base64url'), iat: Math.floor(Date.now() / 1000), ...claims })}.`;
}

/** An HS256 proof keyed with a secret the header's `jwk` claims to be (symmetric algs are refused). */
export async function hs256Proof(claims: Record<string, unknown>): Promise<string> {
  const secret = randomBytes(32);
  const jwk = { kty: 'oct', k: secret.toString('base64url') };
  return new SignJWT({ jti: randomBytes(16).toString('base64url'), iat: Math.floor(Date.now() / 1000), ...claims })
    .setProtectedHeader({ alg: 'HS256', typ: 'dpop+jwt', jwk })
    .sign(secret);
}

/** The same proof with its signature's last bytes changed. */
export function tampered(jwt: string): string {
  const [h, p, s] = jwt.split('.') as [string, string, string];
  const sig = Buffer.from(s, 'base64url');
  sig[sig.length - 1] ^= 0xff;
  return `${h}.${p}.${sig.toString('base64url')}`;
}

/** The payload of a JWT, unverified (the test reads what it was given). */
export function claimsOf(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
}
