/**
 * DPoP proofs (RFC 9449): the checks of §4.3 that need the proof's key or a hash — typ, an
 * allow-listed asymmetric alg, a public `jwk` in the header, the signature, `htm`, `htu`, `iat`
 * within the window, `ath` — and the key's JWK thumbprint (RFC 7638), which tokens are bound to
 * (`cnf.jkt`, §6.1). Verified with node:crypto, not jose (see checkSignature). Replay (`jti`) is
 * the caller's: it needs storage (services/dpop_proofs.ts).
 * @module
 */
import { createPublicKey, constants, verify, type JsonWebKey, type KeyObject } from 'node:crypto';
import { constantEquals, digest } from './digest.ts';

/**
 * Proof algorithms we verify (§5.1 `dpop_signing_alg_values_supported`): asymmetric only, so `none`
 * and every `HS*` are refused (§4.3 point 5). `EdDSA` and `Ed25519` both mean an Ed25519 key (RFC 8037, RFC 9864).
 */
export const DPOP_SIGNING_ALGS = ['ES256', 'EdDSA', 'Ed25519', 'RS256', 'PS256'] as const;

/**
 * How far a proof's `iat` may be from our clock, either way (§4.3 point 11, §11.1). SECURITY R8 asks
 * that ±10 s pass and ±1 h fail; 60 s also lets a phone or browser whose clock drifts by a minute
 * sign proofs, and it bounds how long each `jti` must be remembered to refuse its replay.
 */
const DPOP_IAT_WINDOW = 60;

/** Longest `jti` accepted: the RFC asks for 96 random bits; anything past this is not a proof. */
const MAX_JTI_LENGTH = 256;

export type DpopRejection = 'malformed' | 'typ' | 'alg' | 'jwk' | 'signature' | 'htm' | 'htu' | 'iat' | 'ath' | 'claims';

/** Why a DPoP proof was refused; the caller maps it to `invalid_dpop_proof`. */
export class DpopProofRejected extends Error {
  override name = 'DpopProofRejected';
  constructor(readonly reason: DpopRejection) {
    super(reason);
  }
}

export interface ExpectedProof {
  /** The request's method (§4.2 `htm`). */
  method: string;
  /** Where the request was sent: the public URL of the endpoint, without query or fragment (§4.2 `htu`). */
  url: string;
  /** Seconds since the epoch. */
  now: number;
  /** At a resource: the access token presented with the proof, whose hash `ath` must carry (§4.2, §7). */
  accessToken?: string;
}

export interface DpopProof {
  /** base64url SHA-256 JWK thumbprint of the proof's key (RFC 7638, §6.1 `jkt`). */
  jkt: string;
  /** Storage key for the replay check: a digest of the key's thumbprint and the proof's `jti`. */
  replayId: string;
  /** When the replay entry may go, in whole seconds: past it, the proof's `iat` is outside the window anyway. */
  replayUntil: number;
  /** The proof's `nonce` claim (§8), as sent; checked by the caller when nonces are on. */
  nonce: unknown;
}

export async function verifyDpopProof(proof: string, expected: ExpectedProof): Promise<DpopProof> {
  const { header, claims } = checkSignature(proof);
  const jti = claims.jti;
  if (typeof jti !== 'string' || jti.length === 0 || jti.length > MAX_JTI_LENGTH) throw new DpopProofRejected('claims');
  if (claims.htm !== expected.method) throw new DpopProofRejected('htm');
  if (typeof claims.htu !== 'string' || !sameTarget(claims.htu, expected.url)) throw new DpopProofRejected('htu');
  const iat = claims.iat;
  if (typeof iat !== 'number' || !Number.isFinite(iat) || Math.abs(iat - expected.now) > DPOP_IAT_WINDOW) throw new DpopProofRejected('iat');
  // A proof may also carry exp/nbf; they then hold against our clock (conformance fapi2-check-dpop-proof-nbf-exp).
  if (claims.exp !== undefined && !(typeof claims.exp === 'number' && claims.exp > expected.now)) throw new DpopProofRejected('claims');
  if (claims.nbf !== undefined && !(typeof claims.nbf === 'number' && claims.nbf <= expected.now)) throw new DpopProofRejected('claims');
  if (expected.accessToken !== undefined) checkAth(claims.ath, expected.accessToken);
  const jkt = thumbprint(header.jwk);
  // A NumericDate may have a fraction (RFC 7519 §2); the replay record keeps whole seconds (a bigint
  // column, where PostgreSQL refuses 1796655789.5), rounded up so it outlives the proof's window.
  const replayUntil = Math.ceil(Math.max(iat, expected.now)) + DPOP_IAT_WINDOW;
  return { jkt, replayId: digest(`${jkt}:${jti}`), replayUntil, nonce: claims.nonce };
}

/** The members of a public JWK the thumbprint covers (RFC 7638 §3.2), in lexicographic order. */
const THUMBPRINT_MEMBERS: Record<string, readonly string[]> = { EC: ['crv', 'kty', 'x', 'y'], OKP: ['crv', 'kty', 'x'], RSA: ['e', 'kty', 'n'] };
/** Members only a private or symmetric key has (RFC 7518 §6.2.2, §6.3.2, §6.4; RFC 8037 §2). */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

type Jwk = Record<string, unknown>;
interface Header { alg: (typeof DPOP_SIGNING_ALGS)[number]; jwk: Jwk }

/**
 * §4.3 points 2–6 by hand with node:crypto: a compact JWS of three parts, `typ: dpop+jwt`, an
 * allowed alg whose key type matches the header's public `jwk`, no `crit`, and a valid signature.
 * node:crypto verifies ES256 several times faster than jose's WebCrypto path (which also imports
 * the key asynchronously on every call), and every bound API call pays for one (bench scenario 1b).
 */
function checkSignature(proof: string): { header: Header; claims: Record<string, unknown> } {
  const parts = proof.split('.');
  if (parts.length !== 3) throw new DpopProofRejected('malformed');
  const [encodedHeader, encodedClaims, encodedSignature] = parts as [string, string, string];
  const header = decodeJson(encodedHeader);
  if (header.typ !== 'dpop+jwt') throw new DpopProofRejected('typ');
  const alg = header.alg;
  if (typeof alg !== 'string' || !(DPOP_SIGNING_ALGS as readonly string[]).includes(alg)) throw new DpopProofRejected('alg');
  // RFC 7515 §4.1.11: we understand no extension, so a proof that names one is refused.
  if (header.crit !== undefined || header.b64 !== undefined) throw new DpopProofRejected('malformed');
  const jwk = header.jwk;
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) throw new DpopProofRejected('jwk');
  const key = publicKeyFor(alg as Header['alg'], jwk as Jwk);
  const signature = Buffer.from(encodedSignature, 'base64url');
  const input = Buffer.from(`${encodedHeader}.${encodedClaims}`, 'ascii');
  if (!verifySignature(alg as Header['alg'], key, input, signature)) throw new DpopProofRejected('signature');
  return { header: { alg: alg as Header['alg'], jwk: jwk as Jwk }, claims: decodeJson(encodedClaims) };
}

function decodeJson(part: string): Record<string, unknown> {
  if (!/^[A-Za-z0-9_-]+$/.test(part)) throw new DpopProofRejected('malformed');
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    throw new DpopProofRejected('malformed');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new DpopProofRejected('malformed');
  return value as Record<string, unknown>;
}

/**
 * RSA proof keys: 2048 bits or more (RFC 7518 §3.3), and, since the proof's key is the sender's
 * choice and its check runs on the event loop before anything is known of the sender, only keys
 * whose check costs what an ordinary one does: the public exponent 65537 (what WebCrypto, jose and
 * every library generate) and at most 4096 bits. An exponent as long as the modulus made one check
 * cost 5 ms of CPU, and a 16384-bit modulus 3 ms, against 0.07 ms for a 2048-bit key; anyone who
 * knows a public client_id could send such proofs to /token or /par.
 */
const RSA_PUBLIC_EXPONENT = 'AQAB';
const RSA_MIN_BITS = 2048;
const RSA_MAX_BITS = 4096;

/** §4.3 point 6: a public key only, of the type the alg needs (P-256 for ES256, Ed25519, RSA of 2048 to 4096 bits with exponent 65537). */
function publicKeyFor(alg: Header['alg'], jwk: Jwk): KeyObject {
  if (PRIVATE_MEMBERS.some((m) => m in jwk)) throw new DpopProofRejected('jwk');
  const wanted = alg === 'ES256' ? { kty: 'EC', crv: 'P-256' } : alg === 'EdDSA' || alg === 'Ed25519' ? { kty: 'OKP', crv: 'Ed25519' } : { kty: 'RSA' };
  if (jwk.kty !== wanted.kty || ('crv' in wanted && jwk.crv !== wanted.crv)) throw new DpopProofRejected('jwk');
  const members = THUMBPRINT_MEMBERS[wanted.kty]!;
  if (!members.every((m) => typeof jwk[m] === 'string')) throw new DpopProofRejected('jwk');
  if (wanted.kty === 'RSA' && jwk.e !== RSA_PUBLIC_EXPONENT) throw new DpopProofRejected('jwk');
  // Only the public members: nothing else of the header's JWK reaches the key.
  const publicJwk = Object.fromEntries(members.map((m) => [m, jwk[m]])) as JsonWebKey;
  const cacheKey = JSON.stringify(publicJwk);
  const cached = importedKeys.get(cacheKey);
  if (cached) return cached;
  let key: KeyObject;
  try {
    key = createPublicKey({ key: publicJwk, format: 'jwk' });
  } catch {
    throw new DpopProofRejected('jwk');
  }
  if (key.type !== 'public') throw new DpopProofRejected('jwk');
  if (wanted.kty === 'RSA') {
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    if (bits < RSA_MIN_BITS || bits > RSA_MAX_BITS) throw new DpopProofRejected('jwk');
  }
  if (wanted.kty === 'OKP' && hasSmallOrder(Buffer.from(publicJwk.x!, 'base64url'))) throw new DpopProofRejected('jwk');
  if (importedKeys.size >= MAX_IMPORTED_KEYS) importedKeys.delete(importedKeys.keys().next().value!);
  importedKeys.set(cacheKey, key);
  return key;
}

/**
 * The Ed25519 points of small order (1, 2, 4 or 8), as encoded with the sign bit cleared; their
 * non-canonical encodings (y ≥ p) are among them. A signature under such a key proves nothing:
 * the identity point with the signature (identity, 0) verifies for every message, and OpenSSL
 * does not refuse these keys. A proof "signed" so could be made by anyone, so a token bound to
 * the key would be bound to nobody. Libsodium refuses the same list (`has_small_order`).
 */
const SMALL_ORDER_ED25519 = [
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0100000000000000000000000000000000000000000000000000000000000000',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
].map((hex) => Buffer.from(hex, 'hex'));

/** Whether a 32-byte Ed25519 public key is a point of small order, whatever its sign bit. */
function hasSmallOrder(x: Buffer): boolean {
  if (x.length !== 32) return true;
  const cleared = Buffer.from(x);
  cleared[31]! &= 0x7f;
  return SMALL_ORDER_ED25519.some((point) => point.equals(cleared));
}

/**
 * Public keys already imported, by their members: importing a JWK costs twice the ES256 check
 * itself, and a client signs every proof with the same key. Only a memo of a pure function
 * (the same members always make the same key), bounded, oldest out first.
 */
const importedKeys = new Map<string, KeyObject>();
const MAX_IMPORTED_KEYS = 10000;

function verifySignature(alg: Header['alg'], key: KeyObject, input: Buffer, signature: Buffer): boolean {
  try {
    switch (alg) {
      case 'ES256':
        // RFC 7518 §3.4: R‖S, 64 bytes, not DER.
        return signature.length === 64 && verify('sha256', input, { key, dsaEncoding: 'ieee-p1363' }, signature);
      case 'EdDSA':
      case 'Ed25519':
        return verify(null, input, key, signature);
      case 'RS256':
        return verify('sha256', input, key, signature);
      case 'PS256':
        // RFC 7518 §3.5: MGF1 with SHA-256, salt as long as the hash.
        return verify('sha256', input, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, signature);
    }
  } catch {
    return false;
  }
}

/** RFC 7638: base64url SHA-256 of the required members, in order, as JSON with no whitespace. */
function thumbprint(jwk: Jwk): string {
  const members = THUMBPRINT_MEMBERS[jwk.kty as string]!;
  return digest(JSON.stringify(Object.fromEntries(members.map((m) => [m, jwk[m]]))));
}

/**
 * §4.3 point 9: `htu` names the endpoint, ignoring query and fragment; compared as parsed URLs, so
 * `HTTP://Host:443/x` and `http://host/x` are the same target and a path that differs is not.
 */
function sameTarget(htu: string, url: string): boolean {
  let given: URL;
  try {
    given = new URL(htu);
  } catch {
    return false;
  }
  const wanted = new URL(url);
  return given.origin === wanted.origin && given.pathname === wanted.pathname;
}

/** §4.2, §7: `ath` is base64url(SHA-256(the access token's ASCII)); a verified token of ours is ASCII, so its UTF-8 is the same bytes. */
function checkAth(ath: unknown, accessToken: string): void {
  if (typeof ath !== 'string') throw new DpopProofRejected('ath');
  if (!constantEquals(ath, digest(accessToken))) throw new DpopProofRejected('ath');
}

/** An `dpop_jkt` (§10) or `cnf.jkt` value: a base64url SHA-256 thumbprint, 43 characters. */
export const JKT = /^[A-Za-z0-9_-]{43}$/;
