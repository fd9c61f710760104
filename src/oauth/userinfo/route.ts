/**
 * GET and POST /userinfo (OIDC Core §5.3): the claims about the person an access token with the
 * `openid` scope was issued for. Bearer errors follow RFC 6750 §3.1.
 * @module
 */
import type { FastifyInstance } from 'fastify';
import type { AppOptions } from '../../deps.ts';
import { rejectOtherMethods } from '../../http/methods.ts';
import { allowClientOrigin } from '../../http/cors.ts';
import { checkAccessToken } from '../../services/access_tokens.ts';
import { ENDPOINTS } from '../endpoints.ts';
import { InsufficientScope, InvalidToken, MissingBearerToken } from '../errors.ts';
import { noStore } from '../client_auth/back_channel.ts';
import { extractAccessToken } from './bearer_token.ts';
import { checkUserinfoBinding } from './dpop.ts';
import { userInfoClaims } from './claims.ts';
import { UserInfoResponse } from './schemas.ts';

export default async function userinfoRoutes(app: FastifyInstance, { deps }: AppOptions): Promise<void> {
  app.addHook('onRequest', async (_request, reply) => noStore(reply));
  app.route({
    method: ['GET', 'POST'],
    url: ENDPOINTS.userinfo,
    schema: { response: { 200: UserInfoResponse } },
    handler: async (request, reply) => {
      const presented = extractAccessToken(request);
      if (presented === undefined) throw new MissingBearerToken('no token');
      const result = await checkAccessToken(deps, presented.token);
      if (!result.ok) throw new InvalidToken(result.reason);
      // Issue 18: a single-page app reads this answer from its own origins only (http/cors.ts).
      allowClientOrigin(request, result.claims.client_id);
      await checkUserinfoBinding(deps, request, reply, presented.scheme, presented.token, result.claims);
      const scopes = result.claims.scope.split(' ');
      // OIDC Core §5.3: the UserInfo endpoint serves tokens obtained with the openid scope.
      if (!scopes.includes('openid')) throw new InsufficientScope('openid');
      const user = await deps.stores.users.findById(result.claims.sub);
      if (!user || user.disabledAt !== null) throw new InvalidToken('user disabled or gone');
      return userInfoClaims(user, scopes);
    },
  });
  rejectOtherMethods(app, ENDPOINTS.userinfo, ['GET', 'POST']);
}
