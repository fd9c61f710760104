/**
 * Brute-force protection for client authentication at /token, /revoke and /introspect
 * (OAuth 2.1 §2.4.1: the server "MUST protect … against brute force attacks"; RFC 6749 §10.10;
 * SECURITY 15). Failed authentications are counted per (client_id, address) and per address.
 * Keying by address as well keeps throttling from becoming a way to lock a client out from
 * elsewhere; client secrets carry 256 random bits, so a distributed guess has no chance anyway.
 *
 * On the hot path a request costs two map reads; only a failure writes.
 * @module
 */
import type { Throttles } from '../../caches/throttles.ts';
import { OAuthError } from '../errors.ts';

/**
 * 429 Too Many Requests (RFC 6585 §4) with `Retry-After`. The code stays `invalid_request`
 * (RFC 6749 §5.2 has no code for it) so clients that only know §5.2 still parse it.
 */
export class TooManyAttempts extends OAuthError {
  readonly error = 'invalid_request';
  readonly statusCode = 429;
  readonly description = 'Too many attempts; try again later.';
  constructor(retryAfterSeconds: number, detail?: string) {
    super(detail);
    this.headers['retry-after'] = String(Math.max(1, retryAfterSeconds));
  }
}

/** The throttle key of a client at an address (addresses hold no space, so this is unambiguous). */
export function clientAtNetwork(network: string, clientId: string): string {
  return `${network} ${clientId}`;
}

/** Refuses before any lookup when this client at this address, or this address, failed too often. */
export function checkClientAuthThrottle(throttles: Throttles, network: string, clientId: string): void {
  const wait = Math.max(
    throttles.clientAuth.retryAfter(clientAtNetwork(network, clientId)),
    throttles.clientAuthPerIp.retryAfter(network),
  );
  if (wait > 0) throw new TooManyAttempts(wait, 'client authentication throttled');
}

export function recordClientAuthFailure(throttles: Throttles, network: string, clientId: string): void {
  throttles.clientAuth.hit(clientAtNetwork(network, clientId));
  throttles.clientAuthPerIp.hit(network);
}
