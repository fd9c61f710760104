/**
 * POST /par, the pushed authorization request endpoint (RFC 9126 §2; issue 18). A back-channel
 * endpoint like /token: a form body, no caching, no credentials in the URL, the client
 * authenticated as at /token (a public client names itself). The request is validated as
 * /authorize would, refusals answered directly (§2.3), and stored under the digest of a fresh
 * request_uri that lives 60 s and is taken once at /authorize (authorize/load_pushed.ts).
 * @module
 */
import type { FastifyInstance } from 'fastify';
import type { AppOptions } from '../../deps.ts';
import { rejectOtherMethods } from '../../http/methods.ts';
import { asRawParams, assembleParams } from '../../http/params.ts';
import { randomRequestUri, pushedRequestId } from '../../crypto/request_uris.ts';
import { PUSHED_REQUEST_TTL } from '../../domain/pushed_requests.ts';
import { ENDPOINTS } from '../endpoints.ts';
import { authenticateClient } from '../client_auth/index.ts';
import { registerBackChannel, rejectCredentialsInQuery } from '../client_auth/back_channel.ts';
import { checkPushedRequest } from './check_request.ts';
import { PushedAuthorizationResponse } from './schemas.ts';
import { bindToProof } from './dpop.ts';
import { dpopNonceHeader } from '../../services/dpop_proofs.ts';

const CLIENT_AUTH_PARAMS = ['client_id', 'client_secret'] as const;

export default async function pushedAuthorizationRoutes(app: FastifyInstance, { deps }: AppOptions): Promise<void> {
  registerBackChannel(app);
  app.post(ENDPOINTS.pushedAuthorizationRequest, { schema: { response: { 201: PushedAuthorizationResponse } } }, async (request, reply) => {
    rejectCredentialsInQuery(request.query, ['client_secret']);
    const body = asRawParams(request.body) ?? {};
    // §2.1: "the same rules for client authentication as ... the token endpoint".
    const client = await authenticateClient(deps, request, assembleParams(CLIENT_AUTH_PARAMS, body), { allowPublic: true, cached: true });
    const params = await bindToProof(deps, request, await checkPushedRequest(deps, client, body));
    // RFC 9449 §8.2: with a proof, the next nonce travels with the answer.
    if (request.headers.dpop !== undefined) reply.headers(dpopNonceHeader(deps));
    const requestUri = randomRequestUri();
    const now = deps.clock.now();
    await deps.stores.pushedRequests.create({ id: pushedRequestId(requestUri), appId: client.id, params, createdAt: now, expiresAt: now + PUSHED_REQUEST_TTL });
    // §2.2: 201 Created.
    return reply.code(201).send({ request_uri: requestUri, expires_in: PUSHED_REQUEST_TTL });
  });
  rejectOtherMethods(app, ENDPOINTS.pushedAuthorizationRequest, ['POST']);
}
