/** OIDC Core §5.4: `profile` releases the name, `email` the address and whether it is verified. */
import type { User } from '../../domain/users.ts';
import type { UserInfoResponse } from './schemas.ts';

export function userInfoClaims(user: User, scopes: readonly string[]): UserInfoResponse {
  const claims: UserInfoResponse = { sub: user.id };
  if (scopes.includes('profile')) claims.name = user.name;
  if (scopes.includes('email')) {
    claims.email = user.email;
    // Tessera does not verify addresses yet; claiming otherwise would invite account takeover at RPs.
    claims.email_verified = false;
  }
  return claims;
}
