/**
 * What revoking a token means (RFC 7009 §2.1). A refresh token takes its whole grant with it,
 * access tokens included ("SHOULD also invalidate all access tokens based on the same
 * authorization grant"). An access token is denylisted by `jti` until it expires. Tokens of other
 * clients, unknown tokens and garbage are left alone. Storage failures propagate: a revoke that
 * did not happen must not be reported as done (RFC 7009 §2.2.1, STYLE 5.4).
 * @module
 */
import { CAUSES } from '../../domain/security_events.ts';
import type { Deps } from '../../deps.ts';
import type { App } from '../../domain/apps.ts';
import { digest } from '../../crypto/digest.ts';
import { looksLike } from '../../crypto/random.ts';
import { TokenRejected, verifyAccessToken, type AccessTokenClaims } from '../../crypto/jwt.ts';
import { apiAudience } from '../../services/access_tokens.ts';

export async function revokeToken(deps: Deps, client: App, token: string): Promise<void> {
  if (looksLike('refreshToken', token)) return revokeRefreshToken(deps, client, token);
  return revokeAccessToken(deps, client, token);
}

async function revokeRefreshToken(deps: Deps, client: App, token: string): Promise<void> {
  const found = await deps.stores.tokens.findRefresh(digest(token));
  if (!found || found.appId !== client.id) return;
  if (await deps.revoker.revokeGrant(found.grantId, 'revoked_by_client', CAUSES.clientRevoked)) await deps.stores.audit.record({ type: 'grant.revoked_by_client', userId: found.userId, appId: client.id, detail: { app: client.name } }, deps.clock.now());
}

async function revokeAccessToken(deps: Deps, client: App, token: string): Promise<void> {
  const claims = await verifiedClaims(deps, token);
  if (!claims || claims.client_id !== client.id) return;
  await deps.revoker.revokeAccessToken(claims.jti, claims.exp);
}

/** The claims of one of our access tokens; undefined for anything else, expired ones included (nothing to revoke). */
async function verifiedClaims(deps: Deps, token: string): Promise<AccessTokenClaims | undefined> {
  try {
    const { claims } = await verifyAccessToken(deps.keys.keys, token, {
      issuer: deps.config.issuer,
      audience: apiAudience(deps.config.issuer),
      now: deps.clock.now(),
    });
    return claims;
  } catch (err) {
    if (err instanceof TokenRejected) return undefined;
    throw err;
  }
}
