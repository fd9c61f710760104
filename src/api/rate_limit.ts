/**
 * Rate limits per grant on the platform API (every call counts), with the RateLimit and
 * RateLimit-Policy headers of draft-ietf-httpapi-ratelimit-headers and, over the limit, 429 with
 * Retry-After (RFC 6585 §4, RFC 9110 §10.2.3). Keyed by grant rather than token, so minting new
 * access tokens does not reset the count. Per process, like every throttle (docs/operators.md).
 * @module
 */
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../deps.ts';
import { Throttle } from '../caches/throttle.ts';
import { ApiError } from './problem.ts';

const POLICY = 'per-grant';

export function registerRateLimit(api: FastifyInstance, deps: Deps): void {
  const limit = deps.config.apiRateLimit;
  const throttle = new Throttle(deps.clock, limit, deps.config.throttle.maxKeys);
  const policy = `"${POLICY}";q=${limit.count};w=${limit.seconds}`;

  // Runs after the bearer check (registered after it), so only a valid token is counted.
  // Callback-style: every API call runs it (an async hook costs a promise and a microtask).
  api.addHook('onRequest', (request, reply, done) => {
    if (request.routeOptions.config.public) return done();
    const key = request.principal.grantId;
    const wait = throttle.take(key);
    const { remaining, resetSeconds } = throttle.quota(key);
    reply.header('ratelimit-policy', policy).header('ratelimit', `"${POLICY}";r=${remaining};t=${wait || resetSeconds}`);
    if (wait === 0) return done();
    const err = new ApiError(429, 'rate_limited', `grant ${key}`);
    err.headers['retry-after'] = String(wait);
    done(err);
  });
}
