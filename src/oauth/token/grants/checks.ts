/** Checks both grants make before issuing anything, on the holder read with the code or token. */
import type { TokenHolder } from '../../../domain/tokens.ts';
import { InvalidGrant } from '../../errors.ts';

/** The grant must still be live: revoking it ends everything issued under it. */
export function checkGrantLive(holder: TokenHolder, now: number): void {
  const { grant } = holder;
  if (!grant || grant.revokedAt !== null) throw new InvalidGrant('grant revoked');
  if (grant.expiresAt !== null && now >= grant.expiresAt) throw new InvalidGrant('grant expired');
}

/** A disabled or deleted account gets no new tokens (SECURITY 19). */
export function checkUserActive(holder: TokenHolder): NonNullable<TokenHolder['user']> {
  const { user } = holder;
  if (!user || user.disabledAt !== null) throw new InvalidGrant('user disabled or gone');
  return user;
}
