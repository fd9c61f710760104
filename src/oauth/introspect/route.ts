/**
 * POST /introspect (RFC 7662): only an authenticated confidential client may ask (§2.1, §4), and
 * only about its own access tokens. Anything else — garbage, expired, revoked, another client's
 * token, refresh tokens — is exactly `{"active":false}` (§2.2), so the answer leaks nothing.
 * @module
 */
import type { FastifyInstance } from 'fastify';
import type { AppOptions } from '../../deps.ts';
import { rejectOtherMethods } from '../../http/methods.ts';
import { ENDPOINTS } from '../endpoints.ts';
import { asRawParams, assembleParams } from '../../http/params.ts';
import { InvalidRequest } from '../errors.ts';
import { authenticateClient } from '../client_auth/index.ts';
import { registerBackChannel, rejectCredentialsInQuery } from '../client_auth/back_channel.ts';
import { checkIntrospectionThrottle, introspect } from './introspect_token.ts';
import { IntrospectionResponse } from './schemas.ts';

const INTROSPECTION_PARAMS = ['token', 'token_type_hint', 'client_id', 'client_secret'] as const;

export default async function introspectionRoutes(app: FastifyInstance, { deps }: AppOptions): Promise<void> {
  registerBackChannel(app);
  app.post(ENDPOINTS.introspection, { schema: { response: { 200: IntrospectionResponse } } }, async (request) => {
    rejectCredentialsInQuery(request.query, ['client_secret', 'token']);
    const params = assembleParams(INTROSPECTION_PARAMS, asRawParams(request.body));
    const client = await authenticateClient(deps, request, params, { allowPublic: false });
    if (params.token === undefined) throw new InvalidRequest('token missing');
    checkIntrospectionThrottle(deps, client);
    return introspect(deps, client, params.token);
  });
  rejectOtherMethods(app, ENDPOINTS.introspection, ['POST']);
}
