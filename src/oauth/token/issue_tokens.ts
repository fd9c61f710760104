/**
 * The token response (RFC 6749 §5.1): a signed access token (RFC 9068), the refresh token minted
 * by the grant, and an ID token when `openid` is in scope (OIDC Core §3.1.3.3, §12.2).
 * @module
 */
import type { Deps } from '../../deps.ts';
import { apiAudience } from '../../services/access_tokens.ts';
import { atHash, signAccessToken, signIdToken, type IdTokenClaims } from '../../crypto/jwt.ts';
import { randomId } from '../../crypto/random.ts';
import { formatScope } from '../../domain/scopes.ts';
import type { TokenResponse } from './schemas.ts';

export type GrantType = 'authorization_code' | 'refresh_token' | 'device_code';

export interface Issuance {
  grantType: GrantType;
  clientId: string;
  userId: string;
  grantId: string;
  familyId: string;
  /** The access token's scopes (a refresh may narrow them). */
  scopes: string[];
  /** The organizations the grant covers; null for all of them (the claim is then left out). */
  orgIds: string[] | null;
  /** The end the person chose for the grant: no access token outlives it. */
  grantExpiresAt: number | null;
  authTime: number;
  amr: string[];
  /** The person's address as it stands, for the ID token's `email` claims when `email` is in scope. */
  email: { address: string; verified: boolean };
  /** Only at the code exchange (OIDC Core §3.1.3.6 / §12.2: a refreshed ID token carries none). */
  nonce?: string | null;
  /**
   * The sid of the session the code was issued in (Back-Channel Logout §2.4): at the code exchange,
   * and at every refresh of the family it started (OIDC Core §12.2: the same session as the first).
   */
  sid?: string | null;
  /** Already stored by the grant (with the code redemption or the rotation). */
  refreshToken?: string;
  ip: string;
  /** The DPoP key the access token is bound to (RFC 9449 §6.1 `cnf.jkt`); absent = a bearer token. */
  dpopJkt?: string;
}

export async function issueTokens(deps: Deps, issuance: Issuance): Promise<TokenResponse> {
  const { config, clock, keys } = deps;
  const now = clock.now();
  const scope = formatScope(issuance.scopes);
  const exp = Math.min(now + config.ttl.accessToken, issuance.grantExpiresAt ?? Infinity);
  const accessToken = await signAccessToken(keys.keys, {
    iss: config.issuer,
    sub: issuance.userId,
    aud: apiAudience(config.issuer),
    client_id: issuance.clientId,
    scope,
    jti: randomId(),
    iat: now,
    exp,
    auth_time: issuance.authTime,
    gid: issuance.grantId,
    fid: issuance.familyId,
    ...(issuance.orgIds === null ? {} : { orgs: issuance.orgIds }),
    ...(issuance.dpopJkt === undefined ? {} : { cnf: { jkt: issuance.dpopJkt } }),
  });
  // RFC 9449 §5: token_type DPoP tells the client to present the token with proofs.
  const tokenType = issuance.dpopJkt === undefined ? 'Bearer' : 'DPoP';
  const response: TokenResponse = { access_token: accessToken, token_type: tokenType, expires_in: exp - now, scope };
  count(deps, issuance.grantType, 'access_token');

  if (issuance.refreshToken !== undefined) {
    response.refresh_token = issuance.refreshToken;
    count(deps, issuance.grantType, 'refresh_token');
  }
  if (issuance.scopes.includes('openid')) {
    response.id_token = await signIdToken(keys.keys, idTokenClaims(deps, issuance, accessToken, now));
    count(deps, issuance.grantType, 'id_token');
  }
  deps.usage.recordGrant(issuance.grantId, issuance.ip);
  deps.usage.recordToken();
  return response;
}

function idTokenClaims(deps: Deps, issuance: Issuance, accessToken: string, now: number): IdTokenClaims {
  const claims: IdTokenClaims = {
    iss: deps.config.issuer,
    sub: issuance.userId,
    aud: issuance.clientId,
    azp: issuance.clientId,
    iat: now,
    exp: now + deps.config.ttl.idToken,
    auth_time: issuance.authTime,
    amr: issuance.amr,
    at_hash: atHash(accessToken),
  };
  if (issuance.nonce) claims.nonce = issuance.nonce;
  // Back-Channel Logout §2.4: the session the person signed in with, as its logout token will name it.
  if (issuance.sid) claims.sid = issuance.sid;
  // OIDC Core §5.4, §5.1: `email_verified` is true only once the person proved the address (issue
  // 15: a sign-up link, a change-of-address link, an operator, or a directory that vouches for it).
  if (issuance.scopes.includes('email')) {
    claims.email = issuance.email.address;
    claims.email_verified = issuance.email.verified;
  }
  return claims;
}

function count(deps: Deps, grantType: GrantType, token: 'access_token' | 'refresh_token' | 'id_token'): void {
  deps.metrics.tokensIssued.inc({ grant_type: grantType, token });
}
