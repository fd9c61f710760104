/**
 * The platform API under /api/v1: every route needs a valid, unrevoked access token.
 * This first cut serves the person behind the token and their organizations.
 * @module
 */
import type { FastifyInstance } from 'fastify';
import type { AppOptions } from '../app.ts';
import { registerBearerAuth, requireScope } from './bearer.ts';
import { ApiError, sendProblem } from './problem.ts';
import { Me, OrganizationList } from './schemas.ts';
import { covers } from '../domain/scopes.ts';
import { isDatabaseUnavailable } from '../persistence/unavailable.ts';
import { MalformedParams } from '../http/urlencoded.ts';

export default async function apiRoutes(app: FastifyInstance, { deps }: AppOptions): Promise<void> {
  await app.register(
    async (api) => {
      api.setErrorHandler((err, request, reply) => {
        const problem = toApiError(err);
        if (problem.status >= 500) request.log.error({ err }, 'api error');
        return sendProblem(reply, problem);
      });
      registerBearerAuth(api, deps, (principal, ip) => deps.usage.recordGrant(principal.grantId, ip));

      api.get('/me', { schema: { response: { 200: Me } } }, async (request) => {
        const { userId, scopes } = request.principal;
        const user = await deps.stores.users.findById(userId);
        if (!user || user.disabledAt !== null) throw new ApiError(401, 'invalid_token', 'user gone');
        return {
          id: user.id,
          ...(covers(scopes, ['profile']) ? { name: user.name } : {}),
          ...(covers(scopes, ['email']) ? { email: user.email } : {}),
        };
      });

      api.get('/orgs', { schema: { response: { 200: OrganizationList } }, preHandler: requireScope('orgs:read') }, async (request) => {
        const memberships = await deps.stores.organizations.listForUser(request.principal.userId);
        return { items: memberships.map((m) => ({ id: m.org.id, slug: m.org.slug, name: m.org.name, role: m.role })) };
      });
    },
    { prefix: '/api/v1' },
  );
}

function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  // A query with bad percent-encoding, invalid UTF-8 or NUL is the client's mistake (SECURITY 42).
  if (err instanceof MalformedParams) return new ApiError(400, 'invalid_request');
  if (isDatabaseUnavailable(err)) {
    const unavailable = new ApiError(503, 'temporarily_unavailable');
    unavailable.headers['retry-after'] = '5';
    return unavailable;
  }
  const status = (err as { statusCode?: number }).statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) return new ApiError(status === 404 ? 404 : 400, status === 404 ? 'not_found' : 'invalid_request');
  return new ApiError(500, 'server_error');
}
