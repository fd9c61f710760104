/**
 * grant_type=urn:ietf:params:oauth:grant-type:device_code (RFC 8628 §3.4, §3.5; issue 17), as
 * named steps: the code belongs to this client, has not expired, was polled no faster than the
 * interval, and was approved; then it is redeemed once and tokens are issued under the grant the
 * person's approval wrote. An expired code answers expired_token whatever else; a used one
 * invalid_grant, a denied one access_denied; a pending one slow_down when polled too fast.
 * @module
 */
import type { DeviceAuthorization } from '../../../domain/device_authorizations.ts';
import type { App } from '../../../domain/apps.ts';
import { digest } from '../../../crypto/digest.ts';
import { looksLike } from '../../../crypto/random.ts';
import { AuthorizationPending, DeviceAccessDenied, ExpiredToken, InvalidGrant, InvalidRequest, SlowDown } from '../../errors.ts';
import { checkOptedIn } from '../../device_authorization/opt_in.ts';
import { issueTokens } from '../issue_tokens.ts';
import { mintFirstRefreshToken } from '../refresh_tokens.ts';
import { refreshTokenBinding } from '../dpop.ts';
import type { GrantHandler, GrantRequest } from './context.ts';
import { checkGrantLive, checkUserActive, scopesStillGranted } from './checks.ts';

export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

export const deviceCodeGrant: GrantHandler = async (request) => {
  const { deps, client } = request;
  // Issue 17: an app that opted out (or never opted in) gets nothing, even for a code it holds.
  checkOptedIn(client);
  const device = await loadDeviceCode(request);
  checkClient(device, client);
  const now = deps.clock.now();
  if (now >= device.expiresAt) throw new ExpiredToken('device code expired');
  if (device.status === 'redeemed') throw new InvalidGrant('device code already redeemed');
  if (device.status === 'denied') throw new DeviceAccessDenied('the person denied the request');
  if (device.status === 'approved') return redeem(request, device, now);
  // §3.5: slow_down is a variant of authorization_pending, so only a pending code counts polls.
  if ((await deps.stores.deviceAuthorizations.poll(device.id, now)) === 'slow_down') throw new SlowDown(`polled within ${device.interval} s`);
  throw new AuthorizationPending();
};

async function loadDeviceCode({ deps, params }: GrantRequest): Promise<DeviceAuthorization> {
  if (params.device_code === undefined) throw new InvalidRequest('device_code missing');
  const found = looksLike('deviceCode', params.device_code) ? await deps.stores.deviceAuthorizations.find(digest(params.device_code)) : undefined;
  if (!found) throw new InvalidGrant('unknown device code');
  return found;
}

/** RFC 8628 §3.4: the device_code was issued to the authenticated client. */
function checkClient(device: DeviceAuthorization, client: App): void {
  if (device.appId !== client.id) throw new InvalidGrant('device code issued to another client');
}

/** Single use: the redemption is a compare-and-set, with the family's first refresh token in its transaction. */
async function redeem(request: GrantRequest, device: DeviceAuthorization, now: number) {
  const { deps, client } = request;
  const { userId, grantId, familyId, authTime } = device;
  if (userId === null || grantId === null || familyId === null || authTime === null) throw new InvalidGrant('approval incomplete');
  const grant = await deps.stores.grants.findById(grantId);
  const user = await deps.stores.users.findById(userId);
  const holder = {
    grant: grant && { revokedAt: null, expiresAt: grant.expiresAt, scopes: grant.scopes, orgIds: grant.orgIds },
    user: user && { disabledAt: user.disabledAt, passwordChangedAt: null, email: user.email, emailVerified: user.emailVerifiedAt !== null },
  };
  const live = checkGrantLive(holder, now);
  const person = checkUserActive(holder);
  const scopes = scopesStillGranted(live, device.scopes);
  const subject = { familyId, grantId, appId: client.id, userId, scopes, authTime, amr: device.amr };
  const first = scopes.includes('offline_access') ? mintFirstRefreshToken(deps.config, subject, now, refreshTokenBinding(client, request.dpop), client) : undefined;
  if (!(await deps.stores.deviceAuthorizations.redeem(device.id, now, first?.row))) throw new InvalidGrant('device code already redeemed');
  return issueTokens(deps, {
    grantType: 'device_code',
    clientId: client.id,
    userId,
    grantId,
    familyId,
    scopes,
    orgIds: live.orgIds,
    grantExpiresAt: live.expiresAt,
    authTime,
    amr: device.amr,
    email: { address: person.email, verified: person.emailVerified },
    ...(first ? { refreshToken: first.token } : {}),
    ip: request.ip,
    ...(request.dpop ? { dpopJkt: request.dpop.jkt } : {}),
  });
}
