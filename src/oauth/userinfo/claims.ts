/** OIDC Core §5.4: `profile` releases the name, `email` the address and whether it is verified. */
import type { User } from '../../domain/users.ts';
import type { UserInfoResponse } from './schemas.ts';

export function userInfoClaims(user: User, scopes: readonly string[]): UserInfoResponse {
  const claims: UserInfoResponse = { sub: user.id };
  if (scopes.includes('profile')) claims.name = user.name;
  if (scopes.includes('email')) {
    claims.email = user.email;
    // True only once the person proved the address (issue 15); an unproven one claimed as verified
    // would invite account takeover at relying parties that link accounts by address.
    claims.email_verified = user.emailVerifiedAt !== null;
  }
  return claims;
}
