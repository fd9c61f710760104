/**
 * The one check of a DPoP proof (RFC 9449 §4.3), used by /token and the platform API: exactly one
 * `DPoP` header, the proof itself (crypto/dpop.ts), then its `jti` not seen before on any node
 * (stores.dpopProofs, §11.1). The proof is verified before the replay record is written, so a
 * forged proof costs no write.
 * @module
 */
import type { Deps } from '../deps.ts';
import { DpopProofRejected, verifyDpopProof, type DpopRejection } from '../crypto/dpop.ts';
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
