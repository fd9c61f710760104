/**
 * DPoP proofs (RFC 9449): the checks of §4.3 that need the proof's key or a hash — typ, an
 * allow-listed asymmetric alg, a public `jwk` in the header, the signature, `htm`, `htu`, `iat`
 * within the window, `ath` — and the key's JWK thumbprint (RFC 7638), which tokens are bound to
 * (`cnf.jkt`, §6.1). jose's errors are classified here, once, by their `code`. Replay (`jti`) is the
 * caller's: it needs storage (services/dpop_proofs.ts).
 * @module
 */
import { createHash } from 'node:crypto';
import { calculateJwkThumbprint, EmbeddedJWK, errors, jwtVerify, type JWK } from 'jose';
import { constantEquals, digest } from './digest.ts';

/**
 * Proof algorithms we verify (§5.1 `dpop_signing_alg_values_supported`): asymmetric only, so `none`
 * and every `HS*` are refused (§4.3 point 5). jose verifies each of these in well under a millisecond.
 */
export const DPOP_SIGNING_ALGS = ['ES256', 'EdDSA', 'Ed25519', 'RS256', 'PS256'] as const;

/**
 * How far a proof's `iat` may be from our clock, either way (§4.3 point 11, §11.1). SECURITY R8 asks
 * that ±10 s pass and ±1 h fail; 60 s also lets a phone or browser whose clock drifts by a minute
 * sign proofs, and it bounds how long each `jti` must be remembered to refuse its replay.
 */
export const DPOP_IAT_WINDOW = 60;

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
  /** When the replay entry may go: past it, the proof's `iat` is outside the window anyway. */
  replayUntil: number;
}

export async function verifyDpopProof(proof: string, expected: ExpectedProof): Promise<DpopProof> {
  let verified;
  try {
    verified = await jwtVerify(proof, EmbeddedJWK, {
      typ: 'dpop+jwt',
      algorithms: [...DPOP_SIGNING_ALGS],
      // A proof may carry exp/nbf; they are then checked against our clock (conformance fapi2-check-dpop-proof-nbf-exp).
      currentDate: new Date(expected.now * 1000),
      requiredClaims: ['jti', 'iat'],
    });
  } catch (err) {
    throw classify(err);
  }
  const { payload, protectedHeader } = verified;
  const claims = payload as Record<string, unknown>;
  const jti = claims.jti;
  if (typeof jti !== 'string' || jti.length === 0 || jti.length > MAX_JTI_LENGTH) throw new DpopProofRejected('claims');
  if (claims.htm !== expected.method) throw new DpopProofRejected('htm');
  if (typeof claims.htu !== 'string' || !sameTarget(claims.htu, expected.url)) throw new DpopProofRejected('htu');
  const iat = claims.iat;
  if (typeof iat !== 'number' || Math.abs(iat - expected.now) > DPOP_IAT_WINDOW) throw new DpopProofRejected('iat');
  if (expected.accessToken !== undefined) checkAth(claims.ath, expected.accessToken);
  const jkt = await calculateJwkThumbprint(protectedHeader.jwk as JWK, 'sha256');
  return { jkt, replayId: digest(`${jkt}:${jti}`), replayUntil: Math.max(iat, expected.now) + DPOP_IAT_WINDOW };
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

/** §4.2, §7: `ath` is base64url(SHA-256(the access token's ASCII)). */
function checkAth(ath: unknown, accessToken: string): void {
  if (typeof ath !== 'string') throw new DpopProofRejected('ath');
  const expected = createHash('sha256').update(accessToken, 'ascii').digest('base64url');
  if (!constantEquals(ath, expected)) throw new DpopProofRejected('ath');
}

/** An `dpop_jkt` (§10) or `cnf.jkt` value: a base64url SHA-256 thumbprint, 43 characters. */
export const JKT = /^[A-Za-z0-9_-]{43}$/;

function classify(err: unknown): DpopProofRejected {
  if (err instanceof DpopProofRejected) return err;
  if (err instanceof errors.JOSEError) {
    switch (err.code) {
      case 'ERR_JOSE_ALG_NOT_ALLOWED':
      case 'ERR_JOSE_NOT_SUPPORTED':
        return new DpopProofRejected('alg');
      case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
        return new DpopProofRejected('signature');
      case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      case 'ERR_JWT_EXPIRED':
        return new DpopProofRejected((err as errors.JWTClaimValidationFailed).claim === 'typ' ? 'typ' : 'claims');
      case 'ERR_JWS_INVALID':
        // EmbeddedJWK's refusal of a missing, private or symmetric `jwk` (§4.3 point 6) is one of these.
        return new DpopProofRejected('jwk');
      default:
        return new DpopProofRejected('malformed');
    }
  }
  return new DpopProofRejected('malformed');
}
