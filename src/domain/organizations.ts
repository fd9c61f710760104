/** Organizations, who belongs to them, and their third-party policy. */
import type { AppRule, OrgPolicy, ThirdPartyMode } from './policies.ts';

export type Role = 'owner' | 'member';

export interface Organization {
  id: string;
  slug: string;
  name: string;
  createdAt: number;
}

export interface Membership {
  org: Organization;
  role: Role;
}

/** What the API needs to know about one person, loaded in one go and cached (caches/access_guard.ts). */
export interface Reach {
  /** Organizations the person belongs to now. */
  current: Membership[];
  /** Organizations the person left (answered `not_a_member` instead of `not_found`). */
  former: Organization[];
}

export interface OrganizationStore {
  /** `undefined` when the slug is taken. */
  create(input: { slug: string; name: string; ownerUserId?: string }, now: number): Promise<Organization | undefined>;
  findBySlug(slug: string): Promise<Organization | undefined>;
  /** Adds or updates a membership. */
  setMember(orgId: string, userId: string, role: Role, now: number): Promise<void>;
  /** Removes a membership and remembers that the person left; false when there was none. */
  removeMember(orgId: string, userId: string, now: number): Promise<boolean>;
  listForUser(userId: string): Promise<Membership[]>;
  /** Current and former memberships of one person. */
  reachOf(userId: string): Promise<Reach>;
  /** The org's third-party policy with every app rule (the default when none was set). */
  policyOf(orgId: string): Promise<OrgPolicy>;
  setThirdPartyMode(orgId: string, mode: ThirdPartyMode, now: number): Promise<void>;
  /** Whether services act for members without a second factor (issue 16); the mode is kept. */
  setRequireSecondFactor(orgId: string, required: boolean, now: number): Promise<void>;
  /** Issue 17: the device flow off (true) or allowed (false) in this organization. */
  setDeviceFlowOff(orgId: string, off: boolean, now: number): Promise<void>;
  /** Sets one app's standing in the org, or clears it with `undefined`. */
  setAppRule(orgId: string, appId: string, rule: AppRule | undefined, now: number): Promise<void>;
  /** Whether the person belongs to the org now (to check an assignee). */
  isMember(orgId: string, userId: string): Promise<boolean>;
}

/** URL-safe slugs: lowercase letters, digits and single dashes, 2–39 characters. */
export function isValidSlug(slug: string): boolean {
  return /^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){1,38}$/.test(slug);
}
