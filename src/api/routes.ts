/**
 * The platform API under /api/v1 (organizations, projects, work items, repositories). Every
 * request goes through the same steps, in order:
 *   1. the token: signature, expiry, audience, then its grant against the revocation denylist
 *      (bearer.ts, onRequest);
 *   2. the rate limit of the grant (rate_limit.ts);
 *   3. the scope the operation needs (route preHandler);
 *   4. the person's membership of the organization now, then the organization's third-party
 *      policy for this service (org_access.ts, from the in-memory AccessGuard);
 *   5. the resource itself; one in an organization the person cannot reach is `not_found`.
 * JSON only: any other request body type is 415; bodies are validated as sent (validation.ts):
 * wrong types and unknown members are 400 invalid_request, and so is a NUL in any string.
 * @module
 */
import type { FastifyError, FastifyInstance } from 'fastify';
import type { AppOptions } from '../deps.ts';
import { registerBearerAuth } from './bearer.ts';
import { registerApiCors } from '../http/cors.ts';
import { ApiError, sendProblem } from './problem.ts';
import { Me, REFUSALS } from './schemas.ts';
import { covers } from '../domain/scopes.ts';
import { isDatabaseUnavailable } from '../persistence/unavailable.ts';
import { MalformedParams } from '../http/urlencoded.ts';
import { OrgAccess } from './org_access.ts';
import type { ApiContext } from './context.ts';
import { registerRateLimit } from './rate_limit.ts';
import { registerOpenApi } from './openapi.ts';
import { registerValidation } from './validation.ts';
import { holdsNul } from '../http/nul.ts';
import { apiMethods } from './methods.ts';
import { organizationRoutes } from './organizations/routes.ts';
import { projectRoutes } from './projects/routes.ts';
import { workItemRoutes } from './work_items/routes.ts';
import { repositoryRoutes } from './repositories/routes.ts';
import { buildRoutes } from './builds/routes.ts';

export default async function apiRoutes(app: FastifyInstance, { deps }: AppOptions): Promise<void> {
  await app.register(
    async (api) => {
      api.setErrorHandler((err, request, reply) => {
        const problem = toApiError(err);
        if (problem.status >= 500) request.log.error({ err }, 'api error');
        return sendProblem(reply, problem);
      });
      // JSON only (the app-wide form parser does not apply here): other types get 415.
      api.removeAllContentTypeParsers();
      const parseJson = api.getDefaultJsonParser('error', 'error');
      api.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
        // Fastify's default JSON parser answers through `done` (its type also allows a promise).
        void parseJson(request, body as string, (err, value) => {
          if (err) return done(err, undefined);
          if (holdsNul(value)) return done(new ApiError(400, 'invalid_request', 'NUL in the body', {}, 'a JSON string holds U+0000, which no field accepts'), undefined);
          done(null, value);
        });
      });

      registerValidation(api);
      await registerOpenApi(api, deps);
      // Before the bearer check, so a 401 is readable by the page that sent the token (http/cors.ts).
      registerApiCors(api);
      registerBearerAuth(api, deps, (principal, ip) => deps.usage.recordGrant(principal.grantId, ip));
      registerRateLimit(api, deps);

      const ctx: ApiContext = { deps, access: new OrgAccess(deps.access, deps.config.issuer) };

      api.get('/me', { schema: { summary: 'The person behind the token', tags: ['me'], security: [{ bearer: [] }], response: { 200: Me, ...REFUSALS } } }, async (request) => {
        const { userId, scopes } = request.principal;
        const user = await deps.stores.users.findById(userId);
        if (!user || user.disabledAt !== null) throw new ApiError(401, 'invalid_token', 'user gone');
        return {
          id: user.id,
          ...(covers(scopes, ['profile']) ? { name: user.name } : {}),
          ...(covers(scopes, ['email']) ? { email: user.email } : {}),
        };
      });

      organizationRoutes(api, ctx);
      projectRoutes(api, ctx);
      workItemRoutes(api, ctx);
      repositoryRoutes(api, ctx);
      buildRoutes(api, ctx);
      const items = '/orgs/:org/projects/:project/workitems';
      apiMethods(api, {
        // The OpenAPI document and its page: 405 for other methods, and a preflight answered (http/cors.ts).
        '/openapi.json': ['GET'],
        '/docs': ['GET'],
        '/me': ['GET'],
        '/orgs': ['GET'],
        '/orgs/:org/projects': ['GET', 'POST'],
        '/orgs/:org/projects/:project': ['GET'],
        [items]: ['GET', 'POST'],
        [`${items}/:id`]: ['GET', 'PATCH', 'DELETE'],
        [`${items}/:id/comments`]: ['GET', 'POST'],
        '/orgs/:org/repos': ['GET', 'POST'],
        '/orgs/:org/repos/:repo': ['GET'],
        '/orgs/:org/repos/:repo/contents/*': ['GET', 'PUT'],
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
  const fastifyError = err as Partial<FastifyError>;
  // Schema validation: the message names the field and the rule, nothing else (safe to show).
  if (fastifyError.validation || fastifyError.code === 'FST_ERR_VALIDATION') return new ApiError(400, 'invalid_request', fastifyError.message, {}, fastifyError.message);
  const status = fastifyError.statusCode;
  if (status === 415) return new ApiError(415, 'unsupported_media_type');
  if (fastifyError.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err instanceof SyntaxError) {
    return new ApiError(400, 'invalid_request', 'malformed JSON', {}, 'the body is not valid JSON');
  }
  if (status === 404) return new ApiError(404, 'not_found');
  if (status === 405) return new ApiError(405, 'method_not_allowed');
  if (typeof status === 'number' && status >= 400 && status < 500) return new ApiError(status, 'invalid_request', fastifyError.message);
  return new ApiError(500, 'server_error');
}
