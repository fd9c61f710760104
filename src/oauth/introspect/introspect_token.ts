/** The state of one token as seen by the client that asks (RFC 7662 §2.2). */
import type { Deps } from '../../deps.ts';
import type { App } from '../../domain/apps.ts';
import { checkAccessToken } from '../../services/access_tokens.ts';
import type { IntrospectionResponse } from './schemas.ts';
import { TooManyAttempts } from '../client_auth/throttle.ts';

const INACTIVE: IntrospectionResponse = { active: false };

/**
 * Reasons that mean the value was never one of our valid tokens: a guess, or garbage. Expired
 * and revoked tokens are real ones that resource servers see in normal traffic.
 */
const NOT_OURS: ReadonlySet<string> = new Set(['malformed', 'signature', 'unknown_key', 'claims']);

export async function introspect(deps: Deps, client: App, token: string): Promise<IntrospectionResponse> {
  // Refresh tokens are not introspectable by policy: only their own client holds them anyway.
  const result = await checkAccessToken(deps, token);
  if (!result.ok) {
    if (NOT_OURS.has(result.reason)) recordGuess(deps, client);
    return INACTIVE;
  }
  const { claims } = result;
  // Another client's token: RFC 7662 §4 lets the server answer inactive rather than reveal it.
  if (claims.client_id !== client.id) return INACTIVE;
  return {
    active: true,
    scope: claims.scope,
    client_id: claims.client_id,
    sub: claims.sub,
    exp: claims.exp,
    iat: claims.iat,
    aud: claims.aud,
    iss: claims.iss,
    token_type: claims.cnf ? 'DPoP' : 'Bearer',
    jti: claims.jti,
    ...(claims.cnf ? { cnf: { jkt: claims.cnf.jkt } } : {}),
  };
}

/**
 * Floods of guesses get 429 (SECURITY 21), counted per client: only an authenticated
 * confidential client gets this far, so nobody else can spend its allowance.
 */
export function checkIntrospectionThrottle(deps: Pick<Deps, 'throttles'>, client: App): void {
  const wait = deps.throttles.introspection.retryAfter(client.id);
  if (wait > 0) throw new TooManyAttempts(wait, 'too many introspected values that are not tokens');
}

function recordGuess(deps: Pick<Deps, 'throttles'>, client: App): void {
  deps.throttles.introspection.hit(client.id);
}
