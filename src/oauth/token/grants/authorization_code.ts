/**
 * grant_type=authorization_code (RFC 6749 §4.1.3, RFC 7636 §4.6, OIDC Core §3.1.3.2), as named
 * steps in the RFC's order. A code that was already redeemed is only treated as a replay — which
 * revokes every token issued from it (RFC 6749 §4.1.2) — once the request has passed every other
 * check, so a replay with wrong parameters cannot be used to revoke someone else's tokens (SECURITY 11).
 * @module
 */
import type { AuthorizationCode, RedemptionAttempt, TokenHolder } from '../../../domain/tokens.ts';
import type { App } from '../../../domain/apps.ts';
import { digest } from '../../../crypto/digest.ts';
import { looksLike } from '../../../crypto/random.ts';
import { PKCE_VALUE, s256Challenge, verifyS256 } from '../../../crypto/pkce.ts';
import { InvalidGrant, InvalidRequest } from '../../errors.ts';
import { issueTokens } from '../issue_tokens.ts';
import { firstRefreshTerms, mintFirstRefreshToken } from '../refresh_tokens.ts';
import type { GrantHandler, GrantRequest } from './context.ts';
import { checkGrantLive, checkUserActive, scopesStillGranted } from './checks.ts';
import { checkBoundKey, refreshTokenBinding } from '../dpop.ts';

export const authorizationCodeGrant: GrantHandler = async (request) => {
  const { deps, client, params } = request;
  const now = deps.clock.now();
  const { code, holder, redeemed } = await loadCode(request, now);
  checkClient(code, client);
  checkNotExpired(code, now);
  checkRedirectUri(code, client, params.redirect_uri);
  checkCodeVerifier(code, params.code_verifier);
  // RFC 9449 §10.1: a code bound with dpop_jkt is redeemed only with a proof of that key.
  checkBoundKey(code.dpopJkt, request.dpop, 'code');
  const grant = checkGrantLive(holder, now);
  const user = checkUserActive(holder);
  const scopes = scopesStillGranted(grant, code.scopes);
  // Redeemed by the read itself when every check above held in SQL (issue 14); else redeemed now.
  const refreshToken = redeemed ? redeemed.refreshToken : await redeem(request, code, now);
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

interface LoadedCode {
  code: AuthorizationCode;
  holder: TokenHolder;
  /** Set when the read redeemed the code, with the family's first refresh token if one was stored. */
  redeemed?: { refreshToken: string | undefined };
}

/**
 * The code with its grant and person. On PostgreSQL the same statement redeems it when every check
 * of this grant holds (issue 14: one round trip). The checks still run on the row as read: they
 * pass in that case, and otherwise give the error they always gave, with nothing written.
 */
async function loadCode(request: GrantRequest, now: number): Promise<LoadedCode> {
  const { deps, params } = request;
  if (params.code === undefined) throw new InvalidRequest('code missing');
  if (!looksLike('authorizationCode', params.code)) throw new InvalidGrant('unknown code');
  const id = digest(params.code);
  const attempt = redemptionAttempt(request, id, now);
  if (!attempt) {
    const found = await deps.stores.tokens.findCodeWithHolder(id);
    if (!found) throw new InvalidGrant('unknown code');
    return found;
  }
  const found = await deps.stores.tokens.findCodeRedeeming(attempt.store);
  if (!found) throw new InvalidGrant('unknown code');
  const { code, holder } = found;
  return found.redeemed ? { code, holder, redeemed: { refreshToken: found.refreshIssued ? attempt.refreshToken : undefined } } : { code, holder };
}

/**
 * What the store checks before redeeming in its read; undefined when the verifier is missing or
 * malformed, which can only be refused (checkCodeVerifier says how, after the checks before it).
 */
function redemptionAttempt({ deps, client, params, dpop }: GrantRequest, id: string, now: number): { store: RedemptionAttempt; refreshToken: string } | undefined {
  const verifier = params.code_verifier;
  if (verifier === undefined || !PKCE_VALUE.test(verifier)) return undefined;
  const first = firstRefreshTerms(deps.config, client, now, refreshTokenBinding(client, dpop));
  return {
    refreshToken: first.token,
    store: {
      id,
      now,
      appId: client.id,
      redirectUri: params.redirect_uri ?? null,
      redirectUriFitsUnnamed: unnamedRedirectUriFits(client, params.redirect_uri),
      codeChallenge: s256Challenge(verifier),
      proofJkt: dpop?.jkt ?? null,
      firstRefresh: { id: first.id, expiresAt: first.expiresAt, familyExpiresAt: first.familyExpiresAt, dpopJkt: first.dpopJkt },
    },
  };
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
  if (!unnamedRedirectUriFits(client, redirectUri)) throw new InvalidGrant('redirect_uri is not the registered one');
}

/** For a code whose request named no redirect_uri: none now, or the client's single registered one. */
function unnamedRedirectUriFits(client: App, redirectUri: string | undefined): boolean {
  return redirectUri === undefined || (client.redirectUris.length === 1 && redirectUri === client.redirectUris[0]);
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
async function redeem({ deps, client, dpop }: GrantRequest, code: AuthorizationCode, now: number): Promise<string | undefined> {
  const first = code.scopes.includes('offline_access')
    ? mintFirstRefreshToken(deps.config, code, now, refreshTokenBinding(client, dpop), client)
    : undefined;
  if (!(await deps.stores.tokens.redeemCode(code.id, now, first?.row))) {
    await deps.revoker.revokeFamily(code.familyId);
    throw new InvalidGrant('code replayed; its tokens are revoked');
  }
  return first?.token;
}
