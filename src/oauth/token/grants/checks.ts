/** Checks both grants make before issuing anything. */
import type { Deps } from '../../../deps.ts';
import type { Grant } from '../../../domain/grants.ts';
import type { User } from '../../../domain/users.ts';
import { InvalidGrant } from '../../errors.ts';

/** The grant must still be live: revoking it ends everything issued under it. */
export async function loadLiveGrant(deps: Deps, grantId: string): Promise<Grant> {
  const grant = await deps.stores.grants.findById(grantId);
  if (!grant) throw new InvalidGrant('grant revoked');
  if (grant.expiresAt !== null && deps.clock.now() >= grant.expiresAt) throw new InvalidGrant('grant expired');
  return grant;
}

/** A disabled or deleted account gets no new tokens (SECURITY 19). */
export async function loadActiveUser(deps: Deps, userId: string): Promise<User> {
  const user = await deps.stores.users.findById(userId);
  if (!user || user.disabledAt !== null) throw new InvalidGrant('user disabled or gone');
  return user;
}
