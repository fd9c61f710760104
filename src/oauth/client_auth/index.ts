/**
 * Client authentication at the back-channel endpoints (/token, /revoke, /introspect, /par,
 * /device_authorization):
 * RFC 6749 §2.3.1 (client_secret_basic, client_secret_post) and `none` for public clients.
 * Exactly one method per request (SECURITY 14). Every failure is the same 401 invalid_client with
 * `WWW-Authenticate: Basic`, whether the client is unknown, the secret wrong or missing.
 * @module
 */
import type { FastifyRequest } from 'fastify';
import type { Deps } from '../../deps.ts';
import type { App } from '../../domain/apps.ts';
import { InvalidClient, InvalidGrant, InvalidRequest } from '../errors.ts';
import { fromBasicHeader } from './client_secret_basic.ts';
import { fromBody } from './client_secret_post.ts';
import { fromClientId } from './none.ts';
import { matchSecret } from './secret.ts';
import { clientNetwork } from '../../caches/throttles.ts';
import { checkClientAuthThrottle, recordClientAuthFailure } from './throttle.ts';

import type { PresentedClient } from './presented.ts';
export type { ClientAuthMethod, PresentedClient } from './presented.ts';

export interface ClientAuthParams {
  client_id?: string;
  client_secret?: string;
}

export interface ClientAuthOptions {
  /** False at /introspect: only confidential clients may call it (RFC 7662 §2.1). */
  allowPublic: boolean;
  /**
   * True at /token, /par and /device_authorization: the app and its secret digests may come from
   * this process's cache (client_cache.ts), because each of them writes to the database anyway (a
   * code or refresh token read, a pushed request, a device request) and so fails closed while it is
   * down. /introspect and /revoke read fresh: with a cached client they could answer without
   * touching the database, and must fail closed while it is down (SECURITY R3).
   */
  cached?: boolean;
  /**
   * What a suspended app (issue 21) gets once its credentials check out. By default invalid_client:
   * the platform no longer serves it (/introspect, /par, /device_authorization). 'invalid_grant'
   * at /token: its codes, refresh tokens and device codes are what is refused, and a public client
   * has no credentials to refuse. 'allow' at /revoke: giving access up is always safe, and the
   * person's own revocation (/profile/applications) needs no client authentication anyway.
   */
  whenSuspended?: 'invalid_client' | 'invalid_grant' | 'allow';
}

/**
 * The authenticated client, or InvalidClient / InvalidRequest, or TooManyAttempts (429) once this
 * client id failed too often from this address (SECURITY 15): refused before the secret is checked.
 */
export async function authenticateClient(
  deps: Pick<Deps, 'clients' | 'throttles' | 'usage' | 'suspensions'>,
  request: FastifyRequest,
  params: ClientAuthParams,
  options: ClientAuthOptions,
): Promise<App> {
  const presented = pickMethod(request.headers.authorization, params);
  const network = clientNetwork(request.ip);
  checkClientAuthThrottle(deps.throttles, network, presented.clientId);
  let app: App;
  try {
    app = await verifyClient(deps, presented, options);
  } catch (err) {
    if (err instanceof InvalidClient) recordClientAuthFailure(deps.throttles, network, presented.clientId);
    throw err;
  }
  // After the credentials check, and not counted as a failure: the right secret of a suspended app is not a guess.
  refuseSuspended(deps, app, options.whenSuspended ?? 'invalid_client');
  return app;
}

function refuseSuspended(deps: Pick<Deps, 'suspensions'>, app: App, when: NonNullable<ClientAuthOptions['whenSuspended']>): void {
  if (when === 'allow' || !deps.suspensions.isSuspended(app.id)) return;
  if (when === 'invalid_grant') throw new InvalidGrant('the app is suspended by the platform');
  throw new InvalidClient('the app is suspended by the platform');
}

async function verifyClient(deps: Pick<Deps, 'clients' | 'usage'>, presented: PresentedClient, options: ClientAuthOptions): Promise<App> {
  // One read (or cache hit) for every client, known or not, so an unknown id costs what a wrong secret costs.
  const found = await (options.cached ? deps.clients.get(presented.clientId) : deps.clients.fresh(presented.clientId));
  const app = found?.app;
  const secrets = found?.secrets ?? [];
  if (presented.secret !== undefined) {
    const secretId = matchSecret(presented.secret, secrets);
    if (!app || app.clientType !== 'confidential' || secretId === undefined) throw new InvalidClient('bad client credentials');
    deps.usage.recordSecret(secretId);
    return app;
  }
  if (!app) throw new InvalidClient('unknown client');
  // RFC 6749 §3.2.1: a confidential client MUST authenticate; its id alone proves nothing.
  if (app.clientType !== 'public') throw new InvalidClient('confidential client without credentials');
  if (!options.allowPublic) throw new InvalidClient('public clients may not call this endpoint');
  return app;
}

/** RFC 6749 §2.3: "MUST NOT use more than one authentication method in each request". */
function pickMethod(authorization: string | undefined, params: ClientAuthParams): PresentedClient {
  const presented = presentedClient(authorization, params);
  // A NUL can only come from a Basic header (forms refuse %00); PostgreSQL refuses it in text, and
  // no client id or secret of ours holds one, so it is invalid_client before any lookup.
  if (presented.clientId.includes('\0') || presented.secret?.includes('\0')) throw new InvalidClient('NUL in the client credentials');
  return presented;
}

function presentedClient(authorization: string | undefined, params: ClientAuthParams): PresentedClient {
  const basic = fromBasicHeader(authorization);
  if (basic) {
    if (params.client_secret !== undefined) throw new InvalidRequest('client_secret_basic and client_secret_post together');
    // RFC 6749 §3.2.1 lets a client repeat its id in the body; a different id is ambiguous.
    if (params.client_id !== undefined && params.client_id !== basic.clientId) {
      throw new InvalidRequest('client_id in the body differs from the Basic credentials');
    }
    return basic;
  }
  const presented = fromBody(params) ?? fromClientId(params);
  if (!presented) throw new InvalidClient('no client authentication');
  return presented;
}
