/**
 * grant_type=refresh_token (RFC 6749 §6) with rotation and reuse detection (RFC 9700 §4.14.2):
 * every use returns a new refresh token; a rotated token that comes back means two parties hold
 * the family, so the whole grant is revoked (SECURITY 18). An optional grace of a few seconds lets
 * the direct predecessor of the newest token retry once its response was lost — and nothing older.
 * @module
 */
import { CAUSES } from '../../../domain/security_events.ts';
import type { RefreshToken, RotationAttempt, TokenHolder } from '../../../domain/tokens.ts';
import type { App } from '../../../domain/apps.ts';
import { digest } from '../../../crypto/digest.ts';
import { looksLike } from '../../../crypto/random.ts';
import { parseScope } from '../../../domain/scopes.ts';
import { InvalidGrant, InvalidRequest, InvalidScope } from '../../errors.ts';
import { issueTokens } from '../issue_tokens.ts';
import { mintNextRefreshToken, nextRefreshTerms } from '../refresh_tokens.ts';
import type { GrantHandler, GrantRequest } from './context.ts';
import { checkGrantLive, checkUserActive, scopesStillGranted } from './checks.ts';
import { checkBoundKey, refreshTokenBinding } from '../dpop.ts';

export const refreshTokenGrant: GrantHandler = async (request) => {
  const { deps, client, params } = request;
  const now = deps.clock.now();
  const { token: presented, holder, rotatedTo } = await loadRefreshToken(request, now);
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
  // Rotated by the read itself when every check above held in SQL (issue 14); else rotated now.
  const refreshToken = rotatedTo ?? (await rotate(request, presented, current, now));
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

/**
 * The presented token with its grant and person. On PostgreSQL the same statement rotates it when
 * every check of this grant holds (issue 14: one round trip); `rotatedTo` is then the successor's
 * value. The checks below still run on the row as read: they pass in that case, and otherwise
 * give the error they always gave, with nothing written.
 */
async function loadRefreshToken(request: GrantRequest, now: number): Promise<{ token: RefreshToken; holder: TokenHolder; rotatedTo?: string }> {
  const { deps, params } = request;
  if (params.refresh_token === undefined) throw new InvalidRequest('refresh_token missing');
  if (!looksLike('refreshToken', params.refresh_token)) throw new InvalidGrant('unknown refresh token');
  const id = digest(params.refresh_token);
  const attempt = rotationAttempt(request, id, now);
  if (!attempt) {
    const found = await deps.stores.tokens.findRefreshWithHolder(id);
    if (!found) throw new InvalidGrant('unknown refresh token');
    return found;
  }
  const found = await deps.stores.tokens.findRefreshRotating(attempt.store);
  if (!found) throw new InvalidGrant('unknown refresh token');
  const { token, holder } = found;
  return found.rotated ? { token, holder, rotatedTo: attempt.token } : { token, holder };
}

/** What the store checks before rotating in its read; undefined for a malformed scope, which can only be refused. */
function rotationAttempt({ deps, client, params, dpop }: GrantRequest, id: string, now: number): { store: RotationAttempt; token: string } | undefined {
  let requestedScopes: string[] | null = null;
  if (params.scope !== undefined) {
    const parsed = parseScope(params.scope);
    if (!parsed || parsed.length === 0) return undefined;
    requestedScopes = parsed;
  }
  const next = nextRefreshTerms(deps.config, now);
  return {
    token: next.token,
    store: {
      id,
      now,
      appId: client.id,
      proofJkt: dpop?.jkt ?? null,
      requestedScopes,
      // The parent's key, when it has one, is kept in SQL (rotate() below does the same).
      next: { id: next.id, idleEnd: next.idleEnd, dpopJkt: refreshTokenBinding(client, dpop) },
    },
  };
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
