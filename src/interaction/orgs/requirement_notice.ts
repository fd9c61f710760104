/**
 * Which of the person's organizations require a second factor they lack (issue 16), for the notice
 * on /profile and "Manage applications": services cannot act for them there, and the notice says
 * why and how to fix it. Read fresh, not from the API's cache: the page right after adding a factor
 * must no longer show it. One check of the person first, so someone who has a factor (or a work
 * account) costs no read of any organization's policy.
 * @module
 */
import type { Deps } from '../../deps.ts';
import type { User } from '../../domain/users.ts';
import type { Membership } from '../../domain/organizations.ts';
import { meetsSecondFactorRequirement } from '../../services/accounts/second_factor_requirement.ts';

export interface RequirementNotice {
  /** The organizations, by name. */
  orgs: string[];
  /** Whether the person can add a passkey here (a personal account, passkeys offered at this address). */
  passkeys: boolean;
  /** Whether the person can turn on two-step verification (an account with a password). */
  totp: boolean;
}

export async function requirementNotice(deps: Pick<Deps, 'stores' | 'clock' | 'formKey' | 'accounts'>, user: User, memberships: readonly Membership[]): Promise<RequirementNotice | undefined> {
  if (memberships.length === 0 || (await meetsSecondFactorRequirement(deps, user.id))) return undefined;
  const policies = await Promise.all(memberships.map((m) => deps.stores.organizations.policyOf(m.org.id)));
  const orgs = memberships.filter((_, i) => policies[i]!.requireSecondFactor).map((m) => m.org.name);
  if (orgs.length === 0) return undefined;
  return { orgs, passkeys: user.kind === 'personal' && deps.accounts.passkeysOffered(), totp: user.passwordHash !== null };
}
