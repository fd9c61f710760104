/**
 * DPoP at the platform API (RFC 9449 §7): a token bound to a key (`cnf.jkt`) is accepted only as
 * `Authorization: DPoP <token>` with a proof of that key for this request — `htm`, `htu` against
 * PUBLIC_URL, `ath` of this token, and a `jti` no node has seen (services/dpop_proofs.ts). A bound
 * token sent as Bearer or without a proof is `dpop_required`; an unbound token sent under the DPoP
 * scheme is refused too (§7.1: the scheme says the token is bound). Unbound bearer tokens never
 * reach this file, so their read costs nothing more.
 * @module
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../deps.ts';
import type { AccessTokenClaims } from '../crypto/jwt.ts';
import { checkTokenBinding, dpopChallenge, dpopNonceHeader, type TokenScheme } from '../services/dpop_proofs.ts';
import { ApiError } from './problem.ts';

export type Scheme = TokenScheme;

/** Throws unless the token's binding and the request's scheme and proof agree (services/dpop_proofs.ts). */
export async function checkSenderConstraint(
  deps: Pick<Deps, 'config' | 'clock' | 'stores' | 'formKey'>,
  request: FastifyRequest,
  reply: FastifyReply,
  scheme: Scheme,
  token: string,
  claims: AccessTokenClaims,
): Promise<void> {
  const result = await checkTokenBinding(deps, { scheme, token, boundJkt: claims.cnf?.jkt }, { header: request.headers.dpop, method: request.method, path: request.url.split('?')[0]! });
  if (result.ok) {
    // §9: the next nonce travels with the answer to a proof.
    if (claims.cnf !== undefined) reply.headers(dpopNonceHeader(deps));
    return;
  }
  const err = new ApiError(401, result.proofMissing ? 'dpop_required' : result.error, result.detail);
  err.headers['www-authenticate'] = dpopChallenge(result.error);
  // §9: the nonce to sign with comes with the refusal.
  if (result.error === 'use_dpop_nonce') Object.assign(err.headers, dpopNonceHeader(deps));
  throw err;
}
