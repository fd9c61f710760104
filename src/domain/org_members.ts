/**
 * What an organization's settings page reads about the people in it and the services acting for
 * them. Changes do not go through here but through services/org_admin.ts (write, audit, announce).
 * @module
 */
import type { Role } from './organizations.ts';

export interface OrgMember {
  userId: string;
  email: string;
  name: string;
  role: Role;
  /** When they joined (or were last added). */
  since: number;
}

/** A live grant held by a current member that covers the organization: a service that can act in it for them. */
export interface MemberGrant {
  grantId: string;
  appId: string;
  userId: string;
  lastUsedAt: number | null;
  /** API calls under this grant on the days since `sinceDay` (every organization it reaches, not only this one). */
  calls: number;
}

export interface OrgMemberStore {
  /** Current members, owners first, then by name. */
  listMembers(orgId: string): Promise<OrgMember[]>;
  /**
   * Live grants (not revoked, not expired) of the organization's current members that cover it
   * (a grant kept to other organizations does not), with their calls since `sinceDay` (UTC `YYYY-MM-DD`).
   */
  memberGrants(orgId: string, now: number, sinceDay: string): Promise<MemberGrant[]>;
  /**
   * Current members who would not meet a second-factor requirement (issue 16): personal accounts
   * with neither TOTP on nor a passkey (work accounts meet it through their directory; the rule is
   * services/accounts/second_factor_requirement.ts). User ids, in no order.
   */
  withoutSecondFactor(orgId: string): Promise<string[]>;
}

/** Whether a change leaves the organization without an owner. */
export function ownersLeft(members: readonly OrgMember[]): number {
  return members.filter((m) => m.role === 'owner').length;
}
