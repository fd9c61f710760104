/**
 * grant_type=refresh_token (RFC 6749 §6) with rotation and reuse detection (RFC 9700 §4.14.2):
 * every use returns a new refresh token; a rotated token that comes back means two parties hold
 * the family, so the whole grant is revoked (SECURITY 18). An optional grace of a few seconds lets
 * the direct predecessor of the newest token retry once its response was lost — and nothing older.
 * @module
 */
import { CAUSES } from '../../../domain/security_events.ts';
import type { RefreshToken, TokenHolder } from '../../../domain/tokens.ts';
import type { App } from '../../../domain/apps.ts';
import { digest } from '../../../crypto/digest.ts';
import { looksLike } from '../../../crypto/random.ts';
import { parseScope } from '../../../domain/scopes.ts';
import { InvalidGrant, InvalidRequest, InvalidScope } from '../../errors.ts';
import { issueTokens } from '../issue_tokens.ts';
import { mintNextRefreshToken } from '../refresh_tokens.ts';
import type { GrantHandler, GrantRequest } from './context.ts';
import { checkGrantLive, checkUserActive, scopesStillGranted } from './checks.ts';
import { checkBoundKey, refreshTokenBinding } from '../dpop.ts';

export const refreshTokenGrant: GrantHandler = async (request) => {
  const { deps, client, params } = request;
  const now = deps.clock.now();
  const { token: presented, holder } = await loadRefreshToken(request);
  checkClient(presented, client);
  // RFC 9449 §5: a refresh token bound to a key is used only with a proof of it (a stolen one is useless).
  checkBoundKey(presented.dpopJkt, request.dpop, 'refresh token');
  checkUsable(presented, now);
  const current = await resolveRotation(request, presented, now);
  // In a grace retry `current` is the newest token, which the client may have bound to a key at
  // its last refresh: the retry proves that key too, and the successor stays bound to it.
  if (current !== presented) checkBoundKey(current.dpopJkt, request.dpop, 'refresh token');
  const requested = checkScope(presented, params.scope);
  const grant = checkGrantLive(holder, now);
  const scopes = scopesStillGranted(grant, requested);
  const user = checkUserActive(holder);
  // A password change ends the refresh tokens obtained before it (SECURITY 19).
  if (user.passwordChangedAt !== null && presented.createdAt < user.passwordChangedAt) throw new InvalidGrant('password changed');
  const refreshToken = await rotate(request, presented, current, now);
  return issueTokens(deps, {
    grantType: 'refresh_token',
    clientId: client.id,
    userId: presented.userId,
    grantId: presented.grantId,
    familyId: presented.familyId,
    scopes,
    orgIds: grant.orgIds,
    grantExpiresAt: grant.expiresAt,
    authTime: presented.authTime,
    amr: presented.amr,
    email: { address: user.email, verified: user.emailVerified },
    // OIDC Core §12.2: the refreshed ID token names the same session as the family's first one.
    sid: presented.sid ?? null,
    refreshToken,
    ip: request.ip,
    ...(request.dpop ? { dpopJkt: request.dpop.jkt } : {}),
  });
};

async function loadRefreshToken({ deps, params }: GrantRequest): Promise<{ token: RefreshToken; holder: TokenHolder }> {
  if (params.refresh_token === undefined) throw new InvalidRequest('refresh_token missing');
  const found = looksLike('refreshToken', params.refresh_token)
    ? await deps.stores.tokens.findRefreshWithHolder(digest(params.refresh_token))
    : undefined;
  if (!found) throw new InvalidGrant('unknown refresh token');
  return found;
}

/** RFC 6749 §6: the refresh token was issued to the authenticated client (SECURITY 19). */
function checkClient(token: RefreshToken, client: App): void {
  if (token.appId !== client.id) throw new InvalidGrant('refresh token issued to another client');
}

/** Revoked, or past its idle or absolute end (expiresAt is the earlier of the two). */
function checkUsable(token: RefreshToken, now: number): void {
  if (token.revokedAt !== null) throw new InvalidGrant('refresh token revoked');
  if (now >= token.expiresAt) throw new InvalidGrant('refresh token expired');
}

/**
 * The token to rotate. For an unrotated token, itself. For a rotated one, only inside the grace
 * and only when it is the direct parent of the family's live token: that live token is then the
 * one superseded. Any other rotated token is reuse: the grant dies (RFC 9700 §4.14.2).
 */
async function resolveRotation({ deps }: GrantRequest, presented: RefreshToken, now: number): Promise<RefreshToken> {
  if (presented.rotatedAt === null) return presented;
  const grace = deps.config.ttl.refreshTokenReuseGrace;
  if (grace > 0 && now - presented.rotatedAt <= grace) {
    const newest = await deps.stores.tokens.findLiveRefreshOfFamily(presented.familyId);
    if (newest && newest.parentId === presented.id) return newest;
  }
  return reuseDetected(deps, presented);
}

async function reuseDetected(deps: GrantRequest['deps'], token: RefreshToken): Promise<never> {
  if (await deps.revoker.revokeGrant(token.grantId, 'refresh_token_reuse', CAUSES.refreshTokenReuse)) await deps.stores.audit.record({ type: 'refresh_token.reused', userId: token.userId, appId: token.appId, detail: { grant_revoked: true } }, deps.clock.now());
  throw new InvalidGrant('refresh token reused; the grant is revoked');
}

/**
 * RFC 6749 §6: a requested scope must be within what the token holds; omitted means all of it.
 * It narrows only the access token: the refresh token keeps the family's scopes (SECURITY 19).
 */
function checkScope(token: RefreshToken, scope: string | undefined): string[] {
  if (scope === undefined) return token.scopes;
  const requested = parseScope(scope);
  if (!requested || requested.length === 0) throw new InvalidScope('malformed scope');
  if (!requested.every((s) => token.scopes.includes(s))) throw new InvalidScope('scope wider than the refresh token');
  return requested;
}

/**
 * Rotates `current` atomically; losing the race means another request used the same token: reuse.
 * In a grace retry `current` is the superseded newest token and the successor descends from the
 * presented one, so the superseded token, if it ever comes back, is reuse and kills the grant.
 */
async function rotate({ deps, client, dpop }: GrantRequest, presented: RefreshToken, current: RefreshToken, now: number): Promise<string> {
  const next = mintNextRefreshToken(deps.config, presented, now, refreshTokenBinding(client, dpop, current.dpopJkt ?? presented.dpopJkt));
  if (!(await deps.stores.tokens.rotateRefresh(current.id, next.row, now))) return reuseDetected(deps, current);
  return next.token;
}
