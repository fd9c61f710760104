/**
 * grant_type=authorization_code (RFC 6749 §4.1.3, RFC 7636 §4.6, OIDC Core §3.1.3.2), as named
 * steps in the RFC's order. A code that was already redeemed is only treated as a replay — which
 * revokes every token issued from it (RFC 6749 §4.1.2) — once the request has passed every other
 * check, so a replay with wrong parameters cannot be used to revoke someone else's tokens (SECURITY 11).
 * @module
 */
import type { AuthorizationCode, TokenHolder } from '../../../domain/tokens.ts';
import type { App } from '../../../domain/apps.ts';
import { digest } from '../../../crypto/digest.ts';
import { looksLike } from '../../../crypto/random.ts';
import { PKCE_VALUE, verifyS256 } from '../../../crypto/pkce.ts';
import { InvalidGrant, InvalidRequest } from '../../errors.ts';
import { issueTokens } from '../issue_tokens.ts';
import { mintFirstRefreshToken } from '../refresh_tokens.ts';
import type { GrantHandler, GrantRequest } from './context.ts';
import { checkGrantLive, checkUserActive, scopesStillGranted } from './checks.ts';
import { checkBoundKey, refreshTokenBinding } from '../dpop.ts';

export const authorizationCodeGrant: GrantHandler = async (request) => {
  const { deps, client, params } = request;
  const { code, holder } = await loadCode(request);
  checkClient(code, client);
  checkNotExpired(code, deps.clock.now());
  checkRedirectUri(code, client, params.redirect_uri);
  checkCodeVerifier(code, params.code_verifier);
  // RFC 9449 §10.1: a code bound with dpop_jkt is redeemed only with a proof of that key.
  checkBoundKey(code.dpopJkt, request.dpop, 'code');
  const grant = checkGrantLive(holder, deps.clock.now());
  const user = checkUserActive(holder);
  const scopes = scopesStillGranted(grant, code.scopes);
  const refreshToken = await redeem(request, code);
  return issueTokens(deps, {
    grantType: 'authorization_code',
    clientId: client.id,
    userId: code.userId,
    grantId: code.grantId,
    familyId: code.familyId,
    scopes,
    orgIds: grant.orgIds,
    grantExpiresAt: grant.expiresAt,
    authTime: code.authTime,
    amr: code.amr,
    email: { address: user.email, verified: user.emailVerified },
    nonce: code.nonce,
    sid: code.sid ?? null,
    refreshToken,
    ip: request.ip,
    ...(request.dpop ? { dpopJkt: request.dpop.jkt } : {}),
  });
};

async function loadCode({ deps, params }: GrantRequest): Promise<{ code: AuthorizationCode; holder: TokenHolder }> {
  if (params.code === undefined) throw new InvalidRequest('code missing');
  const found = looksLike('authorizationCode', params.code) ? await deps.stores.tokens.findCodeWithHolder(digest(params.code)) : undefined;
  if (!found) throw new InvalidGrant('unknown code');
  return found;
}

/** RFC 6749 §4.1.3: the code was issued to the authenticated client (SECURITY 13). */
function checkClient(code: AuthorizationCode, client: App): void {
  if (code.appId !== client.id) throw new InvalidGrant('code issued to another client');
}

/** RFC 6749 §4.1.2: codes are short-lived (SECURITY 12). */
function checkNotExpired(code: AuthorizationCode, now: number): void {
  if (now >= code.expiresAt) throw new InvalidGrant('code expired');
}

/**
 * RFC 6749 §4.1.3: when the authorization request carried redirect_uri, the token request must
 * carry the identical value. When it did not (one registered URI), a value sent now must still be
 * that URI.
 */
function checkRedirectUri(code: AuthorizationCode, client: App, redirectUri: string | undefined): void {
  if (code.redirectUri !== '') {
    if (redirectUri !== code.redirectUri) throw new InvalidGrant('redirect_uri does not match the authorization request');
    return;
  }
  if (redirectUri !== undefined && (client.redirectUris.length !== 1 || redirectUri !== client.redirectUris[0])) {
    throw new InvalidGrant('redirect_uri is not the registered one');
  }
}

/** RFC 7636 §4.5, §4.6: every code has an S256 challenge, so a verifier is always required (SECURITY 10). */
function checkCodeVerifier(code: AuthorizationCode, verifier: string | undefined): void {
  if (verifier === undefined) throw new InvalidRequest('code_verifier missing');
  if (!PKCE_VALUE.test(verifier)) throw new InvalidRequest('code_verifier is not 43-128 unreserved characters');
  if (!verifyS256(verifier, code.codeChallenge)) throw new InvalidGrant('code_verifier does not match the challenge');
}

/**
 * Marks the code used and stores the family's first refresh token in one transaction. Losing the
 * race means the code was used before by someone holding a valid verifier: RFC 6749 §4.1.2 says
 * the server SHOULD revoke all tokens previously issued from it.
 */
async function redeem({ deps, client, dpop }: GrantRequest, code: AuthorizationCode): Promise<string | undefined> {
  const now = deps.clock.now();
  const first = code.scopes.includes('offline_access')
    ? mintFirstRefreshToken(deps.config, code, now, refreshTokenBinding(client, dpop), client)
    : undefined;
  if (!(await deps.stores.tokens.redeemCode(code.id, now, first?.row))) {
    await deps.revoker.revokeFamily(code.familyId);
    throw new InvalidGrant('code replayed; its tokens are revoked');
  }
  return first?.token;
}
