/**
 * The grant types this server supports (RFC 6749 §4.1.3, §6). The password, implicit and
 * client_credentials grants are not offered (RFC 9700 §2.4, SECURITY 6).
 * @module
 */
import { InvalidRequest, UnsupportedGrantType } from '../../errors.ts';
import type { GrantHandler } from './context.ts';
import { authorizationCodeGrant } from './authorization_code.ts';
import { refreshTokenGrant } from './refresh_token.ts';
import { DEVICE_CODE_GRANT, deviceCodeGrant } from './device_code.ts';

const GRANTS: ReadonlyMap<string, GrantHandler> = new Map([
  ['authorization_code', authorizationCodeGrant],
  ['refresh_token', refreshTokenGrant],
  // RFC 8628 §3.4, for apps that opted in (issue 17).
  [DEVICE_CODE_GRANT, deviceCodeGrant],
]);

export function grantHandler(grantType: string | undefined): GrantHandler {
  if (grantType === undefined) throw new InvalidRequest('grant_type missing');
  const handler = GRANTS.get(grantType);
  if (!handler) throw new UnsupportedGrantType(`grant_type ${grantType}`);
  return handler;
}
