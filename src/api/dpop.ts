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
import { DPOP_SIGNING_ALGS } from '../crypto/dpop.ts';
import { checkDpopProof, dpopNonceHeader } from '../services/dpop_proofs.ts';
import { ApiError, type ApiErrorCode } from './problem.ts';

export type Scheme = 'bearer' | 'dpop';

/** §7.1: the challenge names the algorithms a proof may use. */
const ALGS = `algs="${DPOP_SIGNING_ALGS.join(' ')}"`;

function refused(code: ApiErrorCode, error: 'invalid_token' | 'invalid_dpop_proof' | 'use_dpop_nonce', detail: string): ApiError {
  const err = new ApiError(401, code, detail);
  err.headers['www-authenticate'] = `DPoP error="${error}", ${ALGS}`;
  return err;
}

/** Throws unless the token's binding and the request's scheme and proof agree. */
export async function checkSenderConstraint(
  deps: Pick<Deps, 'config' | 'clock' | 'stores' | 'formKey'>,
  request: FastifyRequest,
  reply: FastifyReply,
  scheme: Scheme,
  token: string,
  claims: AccessTokenClaims,
): Promise<void> {
  const bound = claims.cnf?.jkt;
  if (bound === undefined) {
    if (scheme === 'dpop') throw refused('invalid_token', 'invalid_token', 'an unbound token under the DPoP scheme');
    return;
  }
  if (scheme !== 'dpop') throw refused('dpop_required', 'invalid_token', 'a DPoP-bound token sent as Bearer');
  if (request.headers.dpop === undefined) throw refused('dpop_required', 'invalid_token', 'a DPoP-bound token without a proof');
  const result = await checkDpopProof(deps, {
    header: request.headers.dpop,
    method: request.method,
    path: request.url.split('?')[0]!,
    accessToken: token,
  });
  if (!result.ok && result.reason === 'use_dpop_nonce') {
    // §9: the nonce to sign with comes with the refusal.
    const err = refused('use_dpop_nonce', 'use_dpop_nonce', 'DPoP proof without a current nonce');
    Object.assign(err.headers, dpopNonceHeader(deps));
    throw err;
  }
  if (!result.ok) throw refused('invalid_dpop_proof', 'invalid_dpop_proof', `DPoP proof refused: ${result.reason}`);
  // §7.1: the proof's key must be the one the token is bound to.
  if (result.jkt !== bound) throw refused('invalid_dpop_proof', 'invalid_dpop_proof', 'DPoP proof signed by another key');
  // §9: the next nonce travels with the answer.
  reply.headers(dpopNonceHeader(deps));
}
