/**
 * The one check of an access token, used by the API, userinfo and introspection: a valid JWT of
 * ours (crypto/jwt.ts), then not revoked — its grant, its family and its own `jti` are looked up
 * in the in-memory denylist, and its app in the in-memory set of suspended apps (issue 21), with no database read. A token verified moments ago is not verified
 * again (verified_tokens.ts), but its expiry, key and revocation are checked on every call.
 * @module
 */
import { verifyAccessToken, TokenRejected, type AccessTokenClaims } from '../crypto/jwt.ts';
import type { Deps } from '../deps.ts';
import type { Narrowing } from '../domain/grants.ts';
import { narrowScopes } from '../domain/scopes.ts';

/** The audience of access tokens: the platform API (RFC 9068 §3, RFC 8707). */
export function apiAudience(issuer: string): string {
  return `${issuer}/api`;
}

export type AccessTokenCheck = { ok: true; claims: AccessTokenClaims } | { ok: false; reason: string };

export async function checkAccessToken(
  deps: Pick<Deps, 'keys' | 'config' | 'clock' | 'revocations' | 'verifiedTokens' | 'suspensions'>,
  token: string,
): Promise<AccessTokenCheck> {
  const now = deps.clock.now();
  const ring = deps.keys.keys;
  let claims = deps.verifiedTokens.get(token, now, (kid) => ring.verificationKey(kid) !== undefined);
  if (!claims) {
    try {
      const verified = await verifyAccessToken(ring, token, { issuer: deps.config.issuer, audience: apiAudience(deps.config.issuer), now });
      claims = verified.claims;
      deps.verifiedTokens.set(token, verified.kid, claims);
    } catch (err) {
      if (err instanceof TokenRejected) return { ok: false, reason: err.reason };
      throw err;
    }
  }
  if (deps.revocations.isRevoked(claims.gid, claims.fid, claims.jti)) return { ok: false, reason: 'revoked' };
  // Issue 21: every token of a suspended app, and after an unsuspend those issued up to the suspension.
  const suspended = deps.suspensions.refusalFor(claims.client_id, claims.iat);
  if (suspended) return { ok: false, reason: suspended };
  const narrowing = deps.revocations.narrowingFor(claims.gid, claims.iat);
  return { ok: true, claims: narrowing ? narrowed(claims, narrowing) : claims };
}

/**
 * A token issued before its person narrowed the grant, seen as the grant allows now: its scopes
 * and organizations intersected with the grant's. A copy — the verified claims stay cached as signed.
 */
function narrowed(claims: AccessTokenClaims, narrowing: Narrowing): AccessTokenClaims {
  const scope = narrowScopes(claims.scope.split(' ').filter(Boolean), narrowing.scopes).join(' ');
  const orgs = narrowing.orgIds === null ? claims.orgs : (claims.orgs ?? narrowing.orgIds).filter((id) => narrowing.orgIds!.includes(id));
  return { ...claims, scope, ...(orgs === undefined ? {} : { orgs }) };
}
