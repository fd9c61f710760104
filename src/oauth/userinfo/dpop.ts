/**
 * DPoP at /userinfo (RFC 9449 §7, OIDC Core §5.3 is a protected resource too): a bound token is
 * accepted only under the DPoP scheme with a proof of its key for this request (`htm`, `htu`,
 * `ath`, an unseen `jti`); an unbound token is not accepted under the DPoP scheme.
 * @module
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../../deps.ts';
import type { AccessTokenClaims } from '../../crypto/jwt.ts';
import { checkTokenBinding, dpopChallenge, dpopNonceHeader, type TokenScheme } from '../../services/dpop_proofs.ts';
import { InvalidDpopProof, InvalidToken, UseDpopNonce } from '../errors.ts';
import { ENDPOINTS } from '../endpoints.ts';

export async function checkUserinfoBinding(deps: Deps, request: FastifyRequest, reply: FastifyReply, scheme: TokenScheme, token: string, claims: AccessTokenClaims): Promise<void> {
  const result = await checkTokenBinding(deps, { scheme, token, boundJkt: claims.cnf?.jkt }, { header: request.headers.dpop, method: request.method, path: ENDPOINTS.userinfo });
  if (result.ok) {
    if (claims.cnf !== undefined) reply.headers(dpopNonceHeader(deps));
    return;
  }
  const challenge = dpopChallenge(result.error);
  if (result.error === 'use_dpop_nonce') throw new UseDpopNonce(dpopNonceHeader(deps), challenge);
  if (result.error === 'invalid_dpop_proof') throw new InvalidDpopProof(result.detail, challenge);
  throw new InvalidToken(result.detail, challenge);
}
