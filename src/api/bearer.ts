/**
 * The API's bearer check (RFC 6750): the token comes only from the Authorization header (never the
 * query, §2.3), is verified (signature, expiry, audience: RFC 9068 §4) and checked against the
 * revocation denylist with no database read, and becomes `request.principal`. `requireScope`
 * answers 403 insufficient_scope (§3.1). The organization steps follow in org_access.ts.
 * @module
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import type { Deps } from '../deps.ts';
import { checkAccessToken } from '../services/access_tokens.ts';
import type { AccessTokenClaims } from '../crypto/jwt.ts';
import { covers } from '../domain/scopes.ts';
import { ApiError, type ApiErrorCode } from './problem.ts';
import { checkSenderConstraint, type Scheme } from './dpop.ts';

export interface Principal {
  userId: string;
  clientId: string;
  grantId: string;
  scopes: string[];
  /** The organizations the grant covers; null for every organization the person belongs to. */
  orgIds: string[] | null;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal;
  }
  interface FastifyContextConfig {
    /** Served without a token (the OpenAPI document and its page). */
    public?: boolean;
  }
}

export const REALM = 'Bearer realm="tessera"';

/**
 * The principal of verified claims, made once per claims object: a token verified moments ago
 * comes back from the cache as the same object (caches/verified_tokens.ts), so its calls share one
 * frozen principal, and checkScope's expansion of its scopes is made once too (issue 14).
 */
const principals = new WeakMap<AccessTokenClaims, Principal>();

function principalOf(claims: AccessTokenClaims): Principal {
  let principal = principals.get(claims);
  if (!principal) {
    principal = Object.freeze({
      userId: claims.sub,
      clientId: claims.client_id,
      grantId: claims.gid,
      scopes: Object.freeze(claims.scope.split(' ')) as string[],
      orgIds: claims.orgs === undefined ? null : (Object.freeze([...claims.orgs]) as string[]),
    });
    principals.set(claims, principal);
  }
  return principal;
}

/**
 * checkAccessToken's reasons as problem codes. All are `invalid_token` in the RFC 6750 challenge;
 * the problem body tells an expired token (refresh it) from a revoked grant (ask again) from a
 * suspended service (issue 21: the platform switched it off) from the rest. A token issued before a
 * suspension that was since lifted is plain invalid_token: the service refreshes.
 */
const REASON_CODES: Record<string, ApiErrorCode> = { expired: 'token_expired', revoked: 'grant_revoked', app_suspended: 'app_suspended' };

function unauthorized(reason: string, withError: boolean): ApiError {
  const code = REASON_CODES[reason] ?? 'invalid_token';
  const err = new ApiError(401, code, reason);
  // RFC 6750 §3.1: a request with no token gets the challenge without an error code.
  err.headers['www-authenticate'] = withError ? `${REALM}, error="invalid_token"` : REALM;
  return err;
}

/** The token in `Authorization: Bearer …`, with the scheme matched case-insensitively. */
export function extractBearer(request: FastifyRequest): string | undefined {
  return extractToken(request)?.token;
}

/** The token and its scheme: `Bearer` (RFC 6750 §2.1) or `DPoP` (RFC 9449 §7.1), matched case-insensitively. */
export function extractToken(request: FastifyRequest): { scheme: Scheme; token: string } | undefined {
  const query = request.query as Record<string, unknown> | undefined;
  if (query && 'access_token' in query) throw new ApiError(400, 'invalid_request', 'access_token in the query');
  const header = request.headers.authorization;
  if (header === undefined) return undefined;
  const match = /^(Bearer|DPoP) +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(header);
  if (!match) throw unauthorized('malformed authorization header', true);
  return { scheme: match[1]!.toLowerCase() === 'dpop' ? 'dpop' : 'bearer', token: match[2]! };
}

/**
 * Runs on `onRequest`, before the body is read: a caller without a valid token learns nothing
 * about the body's shape and costs no parsing.
 */
export function registerBearerAuth(app: FastifyInstance, deps: Deps, onUse: (principal: Principal, ip: string) => void): void {
  app.decorateRequest('principal', null as unknown as Principal);
  app.addHook('onRequest', async (request, reply) => {
    if (request.routeOptions.config.public) return;
    const presented = extractToken(request);
    if (presented === undefined) throw unauthorized('no token', false);
    const result = await checkAccessToken(deps, presented.token);
    if (!result.ok) throw unauthorized(result.reason, true);
    const { claims } = result;
    // RFC 9449 §7: only a bound token or the DPoP scheme has anything to check; the bearer read pays nothing.
    if (claims.cnf !== undefined || presented.scheme === 'dpop') await checkSenderConstraint(deps, request, reply, presented.scheme, presented.token, claims);
    request.principal = principalOf(claims);
    onUse(request.principal, request.ip);
  });
  // What the service did, for the person's "Manage applications" page (counted in memory, written
  // in batches). Callback-style: every API call runs it (an async hook costs a promise and a microtask).
  app.addHook('onResponse', (request, reply, done) => {
    const { principal } = request;
    if (principal) {
      const { url } = request;
      const query = url.indexOf('?');
      deps.usage.recordCall(principal.grantId, {
        method: request.method,
        path: query === -1 ? url : url.slice(0, query),
        route: request.routeOptions.url ?? '',
        org: (request.params as { org?: string } | undefined)?.org,
        status: reply.statusCode,
        ip: request.ip,
      });
    }
    done();
  });
}

/** Throws 403 insufficient_scope naming `scope` unless the token's scopes cover it (implications apply). */
export function checkScope(principal: Principal, scope: string): void {
  if (covers(principal.scopes, [scope])) return;
  const err = new ApiError(403, 'insufficient_scope', scope, { scope });
  err.headers['www-authenticate'] = `${REALM}, error="insufficient_scope", scope="${scope}"`;
  throw err;
}

/** The same as a route hook (callback-style: every API call runs one). */
export function requireScope(scope: string) {
  return (request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction) => {
    try {
      checkScope(request.principal, scope);
    } catch (err) {
      return done(err as ApiError);
    }
    done();
  };
}
