/** Checks both grants make before issuing anything, on the holder read with the code or token. */
import type { TokenHolder } from '../../../domain/tokens.ts';
import { narrowScopes } from '../../../domain/scopes.ts';
import { InvalidGrant } from '../../errors.ts';

/** The grant must still be live: revoking it ends everything issued under it. */
export function checkGrantLive(holder: TokenHolder, now: number): NonNullable<TokenHolder['grant']> {
  const { grant } = holder;
  if (!grant || grant.revokedAt !== null) throw new InvalidGrant('grant revoked');
  if (grant.expiresAt !== null && now >= grant.expiresAt) throw new InvalidGrant('grant expired');
  return grant;
}

/**
 * The scopes of a code or refresh token that its grant still allows: the person may have taken
 * some away under "Manage applications" since it was issued. The stored token keeps its scopes
 * (SECURITY 19); what it yields shrinks with the grant.
 */
export function scopesStillGranted(grant: NonNullable<TokenHolder['grant']>, scopes: string[]): string[] {
  const kept = narrowScopes(scopes, grant.scopes);
  if (kept.length === 0) throw new InvalidGrant('the grant no longer allows any of these scopes');
  return kept;
}

/** A disabled or deleted account gets no new tokens (SECURITY 19). */
export function checkUserActive(holder: TokenHolder): NonNullable<TokenHolder['user']> {
  const { user } = holder;
  if (!user || user.disabledAt !== null) throw new InvalidGrant('user disabled or gone');
  return user;
}
