/**
 * The API's bearer check (RFC 6750): the token comes only from the Authorization header (never the
 * query, §2.3), is verified and checked against the revocation denylist with no database read,
 * and becomes `request.principal`. `requireScope` answers 403 insufficient_scope (§3.1).
 * @module
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Deps } from '../deps.ts';
import { checkAccessToken } from '../core/access_tokens.ts';
import { covers } from '../domain/scopes.ts';
import { ApiError } from './problem.ts';

export interface Principal {
  userId: string;
  clientId: string;
  grantId: string;
  scopes: string[];
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal;
  }
}

const REALM = 'Bearer realm="tessera"';

function unauthorized(detail: string, withError: boolean): ApiError {
  const err = new ApiError(401, 'invalid_token', detail);
  // RFC 6750 §3.1: a request with no token gets the challenge without an error code.
  err.headers['www-authenticate'] = withError ? `${REALM}, error="invalid_token"` : REALM;
  return err;
}

/** The token in `Authorization: Bearer …`, with the scheme matched case-insensitively. */
export function extractBearer(request: FastifyRequest): string | undefined {
  const query = request.query as Record<string, unknown> | undefined;
  if (query && 'access_token' in query) throw new ApiError(400, 'invalid_request', 'access_token in the query');
  const header = request.headers.authorization;
  if (header === undefined) return undefined;
  const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(header);
  if (!match) throw unauthorized('malformed authorization header', true);
  return match[1];
}

export function registerBearerAuth(app: FastifyInstance, deps: Deps, onUse: (principal: Principal, ip: string) => void): void {
  app.decorateRequest('principal', null as unknown as Principal);
  app.addHook('preHandler', async (request) => {
    const token = extractBearer(request);
    if (token === undefined) throw unauthorized('no token', false);
    const result = await checkAccessToken(deps, token);
    if (!result.ok) throw unauthorized(result.reason, true);
    const { claims } = result;
    request.principal = { userId: claims.sub, clientId: claims.client_id, grantId: claims.gid, scopes: claims.scope.split(' ') };
    onUse(request.principal, request.ip);
  });
}

/** Refuses with 403 insufficient_scope unless the token's scopes cover `scope` (implications apply). */
export function requireScope(scope: string) {
  return async (request: FastifyRequest) => {
    if (!covers(request.principal.scopes, [scope])) {
      const err = new ApiError(403, 'insufficient_scope', scope);
      err.headers['www-authenticate'] = `${REALM}, error="insufficient_scope", scope="${scope}"`;
      throw err;
    }
  };
}
