/**
 * Whether a person meets an organization's second-factor requirement (issue 16: "an owner can
 * require every member to have a second factor before services act for them"). The API asks it
 * through the AccessGuard's cache, only in organizations that require one; the pages ask it fresh.
 *
 * A personal account meets it with TOTP on or a passkey (`hasSecondFactor`, the same rule sign-in
 * uses). A work account meets it as it is: it signs in through its company's directory
 * (SECURITY 48), which decides how strongly, and it can hold neither TOTP (no password here) nor a
 * passkey; refusing it would shut it out with nothing it could do about it. GitHub treats
 * accounts managed by an identity provider the same way.
 * @module
 */
import type { User } from '../../domain/users.ts';
import { hasSecondFactor } from './second_factor.ts';

type FactorDeps = Parameters<typeof hasSecondFactor>[0];

export async function meetsSecondFactorRequirement(deps: FactorDeps, userId: string): Promise<boolean> {
  const [user, has] = await Promise.all([deps.stores.users.findById(userId), hasSecondFactor(deps, userId)]);
  return user !== undefined && meetsWith(user, has);
}

/** The rule, for a person already read and whether they have a factor. */
export function meetsWith(user: Pick<User, 'kind'>, hasFactor: boolean): boolean {
  return user.kind === 'work' || hasFactor;
}
