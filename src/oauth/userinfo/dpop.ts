/**
 * DPoP at /userinfo (RFC 9449 §7, OIDC Core §5.3 is a protected resource too): a bound token is
 * accepted only under the DPoP scheme with a proof of its key for this request (`htm`, `htu`,
 * `ath`, an unseen `jti`); an unbound token is not accepted under the DPoP scheme.
 * @module
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../../deps.ts';
import type { AccessTokenClaims } from '../../crypto/jwt.ts';
import { DPOP_SIGNING_ALGS } from '../../crypto/dpop.ts';
import { checkDpopProof, dpopNonceHeader } from '../../services/dpop_proofs.ts';
import { InvalidDpopProof, InvalidToken, UseDpopNonce } from '../errors.ts';
import { ENDPOINTS } from '../endpoints.ts';

const challenge = (error: string) => `DPoP error="${error}", algs="${DPOP_SIGNING_ALGS.join(' ')}"`;

export async function checkUserinfoBinding(deps: Deps, request: FastifyRequest, reply: FastifyReply, scheme: 'bearer' | 'dpop', token: string, claims: AccessTokenClaims): Promise<void> {
  const bound = claims.cnf?.jkt;
  if (bound === undefined) {
    if (scheme === 'dpop') throw new InvalidToken('an unbound token under the DPoP scheme', challenge('invalid_token'));
    return;
  }
  if (scheme !== 'dpop' || request.headers.dpop === undefined) throw new InvalidToken('a DPoP-bound token without its proof', challenge('invalid_token'));
  const result = await checkDpopProof(deps, { header: request.headers.dpop, method: request.method, path: ENDPOINTS.userinfo, accessToken: token });
  if (!result.ok && result.reason === 'use_dpop_nonce') throw new UseDpopNonce(dpopNonceHeader(deps), challenge('use_dpop_nonce'));
  if (!result.ok) throw new InvalidDpopProof(`DPoP proof refused: ${result.reason}`, challenge('invalid_dpop_proof'));
  if (result.jkt !== bound) throw new InvalidDpopProof('DPoP proof signed by another key', challenge('invalid_dpop_proof'));
  reply.headers(dpopNonceHeader(deps));
}
