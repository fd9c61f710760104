/**
 * DPoP at the token endpoint (RFC 9449 §5): the request's proof, checked before any grant runs,
 * and the bindings it must honour — a code bound with `dpop_jkt` (§10) and a refresh token bound to
 * a key (§5) are redeemed only with a proof of that key; tokens for a proof are issued bound to its
 * key (`cnf.jkt`, §6.1), and so is a public client's refresh token (§5: a confidential client's is
 * not, it authenticates instead).
 * @module
 */
import type { FastifyRequest } from 'fastify';
import type { Deps } from '../../deps.ts';
import type { App } from '../../domain/apps.ts';
import { checkDpopProof, dpopNonceHeader } from '../../services/dpop_proofs.ts';
import { InvalidDpopProof, InvalidGrant, InvalidRequest, UseDpopNonce } from '../errors.ts';
import { ENDPOINTS } from '../endpoints.ts';

/** The key a valid proof came with; undefined when the request carried no proof. */
export interface TokenProof {
  jkt: string;
}

export async function readTokenProof(deps: Deps, request: FastifyRequest, client: App): Promise<TokenProof | undefined> {
  const header = request.headers.dpop;
  if (header === undefined) {
    // §5.2 `dpop_bound_access_tokens`: such a client gets no unbound token. A request without a
    // proof is missing a required parameter (RFC 6749 §5.2 invalid_request); invalid_dpop_proof
    // is for a proof that is there and wrong (§5).
    if (client.dpopBoundAccessTokens) throw new InvalidRequest('this client takes only DPoP-bound tokens; DPoP proof missing');
    return undefined;
  }
  return { jkt: await proofKey(deps, header, ENDPOINTS.token) };
}

/**
 * The thumbprint of the key of a valid proof POSTed to `path` (/token, /par): refused as
 * invalid_dpop_proof, or use_dpop_nonce with the nonce to sign with (§8).
 */
export async function proofKey(deps: Deps, header: string | string[], path: string): Promise<string> {
  const result = await checkDpopProof(deps, { header, method: 'POST', path });
  if (!result.ok && result.reason === 'use_dpop_nonce') throw new UseDpopNonce(dpopNonceHeader(deps));
  if (!result.ok) throw new InvalidDpopProof(`DPoP proof refused: ${result.reason}`);
  return result.jkt;
}

/**
 * A code bound with `dpop_jkt` (§10.1) or a refresh token bound to a key (§5) needs a proof of that
 * key: without one, or with another key, the grant is refused as if the code or token were not
 * theirs (invalid_grant), since whoever holds it without the key stole it.
 */
export function checkBoundKey(bound: string | null | undefined, proof: TokenProof | undefined, what: string): void {
  if (bound === null || bound === undefined) return;
  if (proof === undefined) throw new InvalidGrant(`${what} is DPoP-bound; no proof`);
  if (proof.jkt !== bound) throw new InvalidGrant(`${what} is bound to another DPoP key`);
}

/**
 * The key a new refresh token is bound to: its predecessor's, if any; else the proof's for a public
 * client (§5); a confidential client's stays unbound.
 */
export function refreshTokenBinding(client: App, proof: TokenProof | undefined, inherited: string | null | undefined = null): string | null {
  if (inherited) return inherited;
  return client.clientType === 'public' && proof ? proof.jkt : null;
}
