/**
 * The one check of a DPoP proof (RFC 9449 §4.3), used by /token, /par and the resources: exactly
 * one `DPoP` header, the proof itself (crypto/dpop.ts), then its `jti` not seen before on any node
 * (stores.dpopProofs, §11.1). The proof is verified before the replay record is written, so a
 * forged proof costs no write. `checkTokenBinding` is the one rule of a resource (the platform API,
 * /userinfo) for a token's binding, the request's scheme and its proof (§7); each answers its
 * outcome in its own error family.
 * @module
 */
import type { Deps } from '../deps.ts';
import { DpopProofRejected, verifyDpopProof, type DpopRejection } from '../crypto/dpop.ts';
import { DPOP_SIGNING_ALGS } from '../crypto/dpop.ts';
import { currentDpopNonce, isFreshDpopNonce } from '../crypto/dpop_nonces.ts';

export type DpopCheck = { ok: true; jkt: string } | { ok: false; reason: DpopRejection | 'missing' | 'several' | 'replay' | 'use_dpop_nonce' };

export interface DpopRequest {
  /** The request's `DPoP` header as Node gives it: repeated headers are joined with ", ". */
  header: string | string[] | undefined;
  method: string;
  /** The request's path without its query (the public URL is PUBLIC_URL + path). */
  path: string;
  /** At a resource: the access token the proof must hash into `ath`. */
  accessToken?: string;
}

export async function checkDpopProof(deps: Pick<Deps, 'config' | 'clock' | 'stores' | 'formKey'>, request: DpopRequest): Promise<DpopCheck> {
  const { header } = request;
  if (header === undefined || header === '') return { ok: false, reason: 'missing' };
  // §4.3 point 1: exactly one DPoP header; a compact JWS has no comma.
  if (typeof header !== 'string' || header.includes(',')) return { ok: false, reason: 'several' };
  let proof;
  try {
    proof = await verifyDpopProof(header, {
      method: request.method,
      url: deps.config.issuer + request.path,
      now: deps.clock.now(),
      ...(request.accessToken === undefined ? {} : { accessToken: request.accessToken }),
    });
  } catch (err) {
    if (err instanceof DpopProofRejected) return { ok: false, reason: err.reason };
    throw err;
  }
  // §8: with nonces on, a proof must carry a current one; checked before the replay record, so
  // the client's retry with the nonce is not refused as a replay of a proof we never accepted.
  if (deps.config.dpopNonce && !isFreshDpopNonce(deps.formKey, proof.nonce, deps.clock.now())) return { ok: false, reason: 'use_dpop_nonce' };
  if (!(await deps.stores.dpopProofs.remember(proof.replayId, proof.replayUntil))) return { ok: false, reason: 'replay' };
  return { ok: true, jkt: proof.jkt };
}

/** The `DPoP-Nonce` header to send with a DPoP answer (§8.2, §9), when nonces are on. */
export function dpopNonceHeader(deps: Pick<Deps, 'config' | 'clock' | 'formKey'>): Record<string, string> {
  return deps.config.dpopNonce ? { 'dpop-nonce': currentDpopNonce(deps.formKey, deps.clock.now()) } : {};
}

/** How a token was presented at a resource: `Bearer` (RFC 6750) or `DPoP` (RFC 9449 §7.1). */
export type TokenScheme = 'bearer' | 'dpop';

export type BindingCheck =
  | { ok: true }
  | {
      ok: false;
      /** The resource's error code (§7.1). */
      error: 'invalid_token' | 'invalid_dpop_proof' | 'use_dpop_nonce';
      /** A bound token came without its proof: as Bearer, or with no `DPoP` header. */
      proofMissing: boolean;
      detail: string;
    };

const refused = (error: 'invalid_token' | 'invalid_dpop_proof' | 'use_dpop_nonce', detail: string, proofMissing = false): BindingCheck => ({ ok: false, error, proofMissing, detail });

/**
 * §7: a token bound to a key (`boundJkt`, its `cnf.jkt`) is accepted only under the DPoP scheme
 * with a proof of that key for this request (`htm`, `htu`, `ath` of this token, an unseen `jti`);
 * an unbound token is refused under the DPoP scheme (§7.1: the scheme says the token is bound).
 */
export async function checkTokenBinding(
  deps: Pick<Deps, 'config' | 'clock' | 'stores' | 'formKey'>,
  presented: { scheme: TokenScheme; token: string; boundJkt: string | undefined },
  request: Omit<DpopRequest, 'accessToken'>,
): Promise<BindingCheck> {
  const { boundJkt } = presented;
  if (boundJkt === undefined) return presented.scheme === 'dpop' ? refused('invalid_token', 'an unbound token under the DPoP scheme') : { ok: true };
  if (presented.scheme !== 'dpop') return refused('invalid_token', 'a DPoP-bound token sent as Bearer', true);
  if (request.header === undefined) return refused('invalid_token', 'a DPoP-bound token without a proof', true);
  const result = await checkDpopProof(deps, { ...request, accessToken: presented.token });
  if (!result.ok && result.reason === 'use_dpop_nonce') return refused('use_dpop_nonce', 'DPoP proof without a current nonce');
  if (!result.ok) return refused('invalid_dpop_proof', `DPoP proof refused: ${result.reason}`);
  // §7.1: the proof's key must be the one the token is bound to.
  if (result.jkt !== boundJkt) return refused('invalid_dpop_proof', 'DPoP proof signed by another key');
  return { ok: true };
}

/** §7.1: a resource's DPoP challenge names the algorithms a proof may use. */
export function dpopChallenge(error: string): string {
  return `DPoP error="${error}", algs="${DPOP_SIGNING_ALGS.join(' ')}"`;
}
