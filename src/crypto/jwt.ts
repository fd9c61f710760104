/**
 * JWTs Tessera signs and verifies: access tokens (RFC 9068, `typ: at+jwt`) and ID tokens
 * (OIDC Core §2). Verification pins the algorithm, the issuer, the audience and the `typ`, and takes
 * keys only from our own ring. jose's errors are classified here, once, by their `code`.
 * @module
 */
import { createHash, sign } from 'node:crypto';
import { jwtVerify, decodeProtectedHeader, errors, type JWTPayload } from 'jose';
import type { KeyRing } from './signing_keys.ts';

export interface AccessTokenClaims {
  iss: string;
  sub: string;
  aud: string;
  client_id: string;
  scope: string;
  jti: string;
  iat: number;
  exp: number;
  auth_time?: number;
  /** The grant this token was issued under; revoking the grant revokes the token. */
  gid: string;
  /** The token family (one code exchange and its refreshes). */
  fid: string;
  /** Present when the person narrowed the grant to some organizations: their ids. */
  orgs?: string[];
  /** RFC 9449 §6.1: the token is bound to the DPoP key with this JWK thumbprint. */
  cnf?: { jkt: string };
}

export interface IdTokenClaims {
  iss: string;
  sub: string;
  aud: string;
  iat: number;
  exp: number;
  auth_time: number;
  nonce?: string;
  amr?: string[];
  at_hash?: string;
  azp?: string;
  [claim: string]: unknown;
}

/** Why a presented JWT was refused; the caller maps it to `invalid_token`. */
export class TokenRejected extends Error {
  override name = 'TokenRejected';
  constructor(readonly reason: 'expired' | 'malformed' | 'signature' | 'claims' | 'unknown_key') {
    super(reason);
  }
}

export async function signAccessToken(ring: KeyRing, claims: AccessTokenClaims): Promise<string> {
  return signCompact(ring, 'at+jwt', claims);
}

export async function signIdToken(ring: KeyRing, claims: IdTokenClaims): Promise<string> {
  return signCompact(ring, 'JWT', claims);
}

/** OpenID Connect Back-Channel Logout 1.0 §2.4: the claims of a logout token. */
export interface LogoutTokenClaims {
  iss: string;
  aud: string;
  iat: number;
  exp: number;
  jti: string;
  sub: string;
  sid: string;
  events: { 'http://schemas.openid.net/event/backchannel-logout': Record<string, never> };
}

/** §2.4: signed like an ID token, with `typ: logout+jwt` (§4.1), and never a `nonce`. */
export function signLogoutToken(ring: KeyRing, claims: LogoutTokenClaims): string {
  return signCompact(ring, 'logout+jwt', claims);
}

/**
 * RFC 8417 §2.2 / RFC 8935 §2: the claims of a Security Event Token Tessera pushes (issue 19). No
 * `exp` (RFC 8417 §2.2 leaves it out: a SET describes a past fact); the `jti` is the delivery's id,
 * the same at every attempt, so a receiver drops a repeat (RFC 8935 §2.1).
 */
export interface SecurityEventTokenClaims {
  iss: string;
  aud: string;
  iat: number;
  jti: string;
  /** RFC 9493 §3.2.5 `iss_sub` subject identifier (SSF 1.0 §3: `sub_id`). */
  sub_id: { format: 'iss_sub'; iss: string; sub: string };
  /** Exactly one event, keyed by its type URI (CAEP 1.0 §3). */
  events: Record<string, Record<string, unknown>>;
}

/** RFC 8417 §2.3: `typ: secevent+jwt`, signed with the current key like our other tokens. */
export function signSecurityEventToken(ring: KeyRing, claims: SecurityEventTokenClaims): string {
  return signCompact(ring, 'secevent+jwt', claims);
}

/**
 * JWS compact serialization (RFC 7515 §7.1) of our own claims with the current key. Signing is
 * done with node:crypto directly: for ES256 it is about 3× cheaper than jose's WebCrypto path,
 * which hops to the thread pool. Verification stays with jose (verifyAccessToken).
 */
function signCompact(ring: KeyRing, typ: string, claims: object): string {
  const { kid, alg, keyObject } = ring.signingKey();
  if (alg !== 'ES256') throw new Error(`signing with ${alg} is not supported`);
  const encode = (value: object) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
  const input = `${encode({ alg, kid, typ })}.${encode(claims)}`;
  // RFC 7518 §3.4: an ECDSA signature is R‖S, fixed-size, not DER.
  const signature = sign('sha256', Buffer.from(input, 'ascii'), { key: keyObject, dsaEncoding: 'ieee-p1363' });
  return `${input}.${signature.toString('base64url')}`;
}

/** OIDC Core §3.1.3.6: base64url of the left half of SHA-256 of the access token (ES256 → SHA-256). */
export function atHash(accessToken: string): string {
  return createHash('sha256').update(accessToken, 'ascii').digest().subarray(0, 16).toString('base64url');
}

/** Verifies an access token: signature by one of our keys, `typ`, `alg`, `iss`, `aud`, `exp`. Returns its claims and the `kid` that signed it. */
export async function verifyAccessToken(
  ring: KeyRing,
  token: string,
  expected: { issuer: string; audience: string; now: number },
): Promise<{ claims: AccessTokenClaims; kid: string }> {
  let kid: string | undefined;
  try {
    kid = decodeProtectedHeader(token).kid;
  } catch {
    throw new TokenRejected('malformed');
  }
  const key = ring.verificationKey(kid);
  if (!key || kid === undefined) throw new TokenRejected('unknown_key');
  try {
    const { payload } = await jwtVerify(token, key.key, {
      algorithms: [key.alg],
      typ: 'at+jwt',
      issuer: expected.issuer,
      audience: expected.audience,
      currentDate: new Date(expected.now * 1000),
      requiredClaims: ['sub', 'exp', 'iat', 'jti', 'client_id'],
    });
    return { claims: checkShape(payload), kid };
  } catch (err) {
    throw classify(err);
  }
}

/** Who an ID token we issued names, and to which client it was issued (`azp`, else its single `aud`). */
export interface IdTokenHint {
  subject: string;
  clientId: string | undefined;
}

/**
 * An ID token we issued, given back as `id_token_hint` (OIDC Core §3.1.2.1, RP-Initiated Logout
 * §2): signature by one of our keys (retired ones still in the JWKS included) with that key's
 * algorithm only, so `alg: none` or an altered token fails; `typ`, issuer, and the audience when
 * `clientId` is given. Expiry is not checked, since a hint is usually an old token ("the ID Token
 * need not be unexpired"). Throws TokenRejected otherwise.
 */
export async function readIdTokenHint(ring: KeyRing, token: string, expected: { issuer: string; clientId?: string }): Promise<IdTokenHint> {
  let kid: string | undefined;
  try {
    kid = decodeProtectedHeader(token).kid;
  } catch {
    throw new TokenRejected('malformed');
  }
  const key = ring.verificationKey(kid);
  if (!key) throw new TokenRejected('unknown_key');
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, key.key, {
      algorithms: [key.alg],
      typ: 'JWT',
      issuer: expected.issuer,
      ...(expected.clientId === undefined ? {} : { audience: expected.clientId }),
    }));
  } catch (err) {
    // jose checks the signature before the claims, so an expired token's payload is authentic.
    if (!(err instanceof errors.JWTExpired)) throw classify(err);
    payload = err.payload;
  }
  if (typeof payload.sub !== 'string') throw new TokenRejected('claims');
  const audiences = typeof payload.aud === 'string' ? [payload.aud] : (payload.aud ?? []);
  const azp = (payload as { azp?: unknown }).azp;
  return { subject: payload.sub, clientId: typeof azp === 'string' ? azp : audiences.length === 1 ? audiences[0] : undefined };
}

/** The subject of an ID token we issued to `clientId` (see readIdTokenHint). */
export async function verifyIdTokenHint(ring: KeyRing, token: string, expected: { issuer: string; clientId: string }): Promise<string> {
  return (await readIdTokenHint(ring, token, expected)).subject;
}

function checkShape(payload: JWTPayload): AccessTokenClaims {
  const p = payload as Record<string, unknown>;
  for (const name of ['sub', 'client_id', 'scope', 'jti', 'gid', 'fid'] as const) {
    if (typeof p[name] !== 'string') throw new TokenRejected('claims');
  }
  if (p.orgs !== undefined && !(Array.isArray(p.orgs) && p.orgs.every((id) => typeof id === 'string'))) throw new TokenRejected('claims');
  if (p.cnf !== undefined && typeof (p.cnf as { jkt?: unknown } | null)?.jkt !== 'string') throw new TokenRejected('claims');
  return payload as unknown as AccessTokenClaims;
}

function classify(err: unknown): TokenRejected {
  if (err instanceof TokenRejected) return err;
  if (err instanceof errors.JOSEError) {
    switch (err.code) {
      case 'ERR_JWT_EXPIRED':
        return new TokenRejected('expired');
      case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
        return new TokenRejected('signature');
      case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
        return new TokenRejected('claims');
      default:
        return new TokenRejected('malformed');
    }
  }
  return new TokenRejected('malformed');
}
