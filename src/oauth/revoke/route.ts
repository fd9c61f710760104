/**
 * POST /revoke (RFC 7009): the client revokes one of its own tokens. The answer is 200 whether or
 * not the token was known, valid, or the client's (RFC 7009 §2.2), so it reveals nothing.
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
import { revokeToken } from './revoke_token.ts';

const REVOCATION_PARAMS = ['token', 'token_type_hint', 'client_id', 'client_secret'] as const;

export default async function revocationRoutes(app: FastifyInstance, { deps }: AppOptions): Promise<void> {
  registerBackChannel(app);
  app.post(ENDPOINTS.revocation, async (request, reply) => {
    rejectCredentialsInQuery(request.query, ['client_secret', 'token']);
    const params = assembleParams(REVOCATION_PARAMS, asRawParams(request.body));
    const client = await authenticateClient(deps, request, params, { allowPublic: true, whenSuspended: 'allow' });
    if (params.token === undefined) throw new InvalidRequest('token missing');
    // RFC 7009 §2.1: token_type_hint is only a hint; both kinds are tried whatever it says.
    await revokeToken(deps, client, params.token);
    return reply.code(200).send();
  });
  rejectOtherMethods(app, ENDPOINTS.revocation, ['POST']);
}
