/**
 * Feeds the per-app error counts of the developer portal's usage panel (issue 5) from the one
 * place every thrown error passes: Fastify's `onError` hook, registered on the root so the token
 * endpoint and the platform API (each an encapsulated plugin) inherit it. Counting is a Map update
 * (jobs/error_counter.ts); nothing here can change the answer or fail the request.
 *
 * Which app an error belongs to:
 * - token endpoint: the client_id the request presents (Basic header or body), authenticated or
 *   not — a developer wants to see `invalid_client` from a wrong secret; ids of no app are dropped
 *   by the store;
 * - platform API: the client of the verified access token. A revoked grant's token failed only
 *   the revocation check, so its verified claims are still in the verified-token cache; an error
 *   whose token never verified (forged, expired, missing) is not attributed to anyone, since a
 *   client_id read from an unverified token could be anyone's.
 * @module
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Deps } from '../deps.ts';
import { ENDPOINTS } from '../oauth/endpoints.ts';
import { toOAuthError } from './error_handler.ts';
import { ApiError } from '../api/problem.ts';
import { extractBearer } from '../api/bearer.ts';
import { fromBasicHeader } from '../oauth/client_auth/client_secret_basic.ts';

type CountingDeps = Pick<Deps, 'errorCounts' | 'keys' | 'clock' | 'verifiedTokens'>;

/** Client ids are 32 hex characters; anything much longer is not worth a Map key. */
const MAX_CLIENT_ID = 100;

export function registerErrorCounting(app: FastifyInstance, deps: CountingDeps): void {
  app.addHook('onError', async (request, _reply, err) => {
    try {
      const counted = attribute(deps, request, err);
      if (counted && counted.appId.length <= MAX_CLIENT_ID) deps.errorCounts.record(counted.appId, counted.code);
    } catch (countingErr) {
      request.log.warn({ err: countingErr }, 'counting an error failed');
    }
  });
}

function attribute(deps: CountingDeps, request: FastifyRequest, err: unknown): { appId: string; code: string } | undefined {
  if (request.routeOptions.url === ENDPOINTS.token) {
    const appId = presentedClientId(request);
    return appId === undefined ? undefined : { appId, code: toOAuthError(err).error };
  }
  if (err instanceof ApiError) {
    const appId = request.principal?.clientId ?? (err.code === 'grant_revoked' ? verifiedClientId(deps, request) : undefined);
    return appId === undefined ? undefined : { appId, code: err.code };
  }
  return undefined;
}

function presentedClientId(request: FastifyRequest): string | undefined {
  try {
    const basic = fromBasicHeader(request.headers.authorization);
    if (basic) return basic.clientId;
  } catch {
    return undefined;
  }
  const body = request.body as Record<string, unknown> | undefined;
  const id = body && typeof body === 'object' ? body.client_id : undefined;
  return typeof id === 'string' && id !== '' ? id : undefined;
}

function verifiedClientId(deps: CountingDeps, request: FastifyRequest): string | undefined {
  let token: string | undefined;
  try {
    token = extractBearer(request);
  } catch {
    return undefined;
  }
  if (token === undefined) return undefined;
  const ring = deps.keys.keys;
  return deps.verifiedTokens.get(token, deps.clock.now(), (kid) => ring.verificationKey(kid) !== undefined)?.client_id;
}
