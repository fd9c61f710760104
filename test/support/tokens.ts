/**
 * Access tokens minted by Tessera's own signer for resource-server tests, so the API's checks can be
 * exercised without a full authorization flow. Flow tests get theirs from /token.
 */
import { SignJWT } from 'jose';
import { signAccessToken, type AccessTokenClaims } from '../../src/crypto/jwt.ts';
import { randomId } from '../../src/crypto/random.ts';
import { apiAudience } from '../../src/services/access_tokens.ts';
import type { Deps } from '../../src/deps.ts';

export function accessClaims(deps: Deps, overrides: Partial<AccessTokenClaims> & { sub: string; gid: string }): AccessTokenClaims {
  const now = deps.clock.now();
  return {
    iss: deps.config.issuer,
    aud: apiAudience(deps.config.issuer),
    client_id: 'client-1',
    scope: 'openid profile email orgs:read',
    jti: randomId(),
    iat: now,
    exp: now + deps.config.ttl.accessToken,
    fid: randomId(),
    ...overrides,
  };
}

export function mintAccessToken(deps: Deps, overrides: Partial<AccessTokenClaims> & { sub: string; gid: string }): Promise<string> {
  return signAccessToken(deps.keys.keys, accessClaims(deps, overrides));
}

/** An unsigned token (`alg: none`) with otherwise valid claims. */
export function unsignedToken(claims: AccessTokenClaims): string {
  const encode = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');
  return `${encode({ alg: 'none', typ: 'at+jwt' })}.${encode(claims)}.`;
}

/** A token signed HS256 with the public JWK's JSON as the secret: the classic key-confusion attack. */
export async function hs256WithPublicKey(claims: AccessTokenClaims, publicJwk: object, kid: string): Promise<string> {
  const secret = new TextEncoder().encode(JSON.stringify(publicJwk));
  return new SignJWT({ ...claims }).setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid }).sign(secret);
}
