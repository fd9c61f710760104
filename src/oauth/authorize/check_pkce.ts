/**
 * PKCE for every client, S256 only (OAuth 2.1 §4.1.1, RFC 9700 §2.1.1, SECURITY 9). An absent
 * method means `plain` (RFC 7636 §4.3), so it is refused like `plain` itself.
 */
import { S256_CHALLENGE } from '../../crypto/pkce.ts';
import { InvalidRequest } from '../errors.ts';
import type { AuthorizeParams } from './params.ts';

export function checkPkce(params: AuthorizeParams): string {
  const challenge = params.code_challenge;
  if (challenge === undefined) throw new InvalidRequest('code_challenge missing');
  if (params.code_challenge_method !== 'S256') throw new InvalidRequest('code_challenge_method must be S256');
  if (!S256_CHALLENGE.test(challenge)) throw new InvalidRequest('code_challenge malformed');
  return challenge;
}
