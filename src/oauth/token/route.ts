/**
 * POST /token (RFC 6749 §3.2): form parameters from the body only, client authentication, then
 * the handler of the grant type.
 * @module
 */
import type { FastifyInstance } from 'fastify';
import type { AppOptions } from '../../deps.ts';
import { rejectOtherMethods } from '../../http/methods.ts';
import { ENDPOINTS } from '../endpoints.ts';
import { asRawParams, assembleParams } from '../../http/params.ts';
import { authenticateClient } from '../client_auth/index.ts';
import { registerBackChannel, rejectCredentialsInQuery } from '../client_auth/back_channel.ts';
import { CREDENTIALS_NOT_IN_QUERY, TOKEN_PARAMS } from './params.ts';
import { TokenResponse } from './schemas.ts';
import { grantHandler } from './grants/index.ts';
import { throttleInvalidGrant } from './grant_throttle.ts';
import { readTokenProof } from './dpop.ts';
import { dpopNonceHeader } from '../../services/dpop_proofs.ts';

export default async function tokenRoutes(app: FastifyInstance, { deps }: AppOptions): Promise<void> {
  registerBackChannel(app);
  app.post(ENDPOINTS.token, { schema: { response: { 200: TokenResponse } } }, async (request, reply) => {
    rejectCredentialsInQuery(request.query, CREDENTIALS_NOT_IN_QUERY);
    const params = assembleParams(TOKEN_PARAMS, asRawParams(request.body));
    const client = await authenticateClient(deps, request, params, { allowPublic: true, cached: true, whenSuspended: 'invalid_grant' });
    const grant = grantHandler(params.grant_type);
    // The proof is read inside the throttle: a throttled client gets 429 before its signature is checked or its jti stored.
    return throttleInvalidGrant(deps, request.ip, client, async () => {
      const dpop = await readTokenProof(deps, request, client);
      // RFC 9449 §8.2: the next nonce travels with the answer.
      if (dpop) reply.headers(dpopNonceHeader(deps));
      return grant({ deps, client, params, ip: request.ip, ...(dpop ? { dpop } : {}) });
    });
  });
  rejectOtherMethods(app, ENDPOINTS.token, ['POST']);
}
