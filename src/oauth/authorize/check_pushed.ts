/**
 * RFC 9126 §5 (`require_pushed_authorization_requests`, server-wide: REQUIRE_PAR) and §6 (the
 * same, per client): such a request must name a pushed `request_uri`. One sent on the front
 * channel is refused as invalid_request, at the redirect URI once it is verified, like any
 * other refusal.
 */
import { InvalidRequest } from '../errors.ts';

export function checkPushed(mustPush: boolean): void {
  if (mustPush) throw new InvalidRequest('pushed authorization request required');
}
