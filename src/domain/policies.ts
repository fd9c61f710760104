/**
 * An organization's policy for third-party services (apps acting through a person's grant):
 * `allow` every authorized service (the default), only services the owners `approved`, or `deny`
 * them all. Independently of the mode, owners can cut one app off (`blocked`). And owners can
 * require a second factor (issue 16): services then act only for members who have one.
 * @module
 */
export type ThirdPartyMode = 'allow' | 'approved' | 'deny';
export const THIRD_PARTY_MODES: readonly ThirdPartyMode[] = ['allow', 'approved', 'deny'];

export type AppRule = 'approved' | 'blocked';

export interface OrgPolicy {
  thirdParty: ThirdPartyMode;
  /** app (client_id) → its standing in this organization; absent means no decision. */
  apps: ReadonlyMap<string, AppRule>;
  /** Services act for a member only if the member has a second factor (TOTP or a passkey). */
  requireSecondFactor: boolean;
  /** Issue 17: the owners turned the device flow (RFC 8628) off here; sign-ins through it leave this organization out. */
  deviceFlowOff?: boolean;
}

export const DEFAULT_POLICY: OrgPolicy = { thirdParty: 'allow', apps: new Map(), requireSecondFactor: false, deviceFlowOff: false };

export type PolicyDecision = 'allowed' | 'blocked' | 'needs_approval';

/** Whether `clientId` may act in an organization with `policy`. A cut-off wins over every mode. */
export function decide(policy: OrgPolicy, clientId: string): PolicyDecision {
  const rule = policy.apps.get(clientId);
  if (rule === 'blocked') return 'blocked';
  if (policy.thirdParty === 'deny') return 'blocked';
  if (policy.thirdParty === 'approved' && rule !== 'approved') return 'needs_approval';
  return 'allowed';
}

/**
 * Where a person sees which organizations require a second factor they lack, with links to set up
 * two-step verification or a passkey (the profile's notice; the API's `second_factor_required`
 * problem links to it as `setup_url`).
 */
export const SECOND_FACTOR_SETUP_PATH = '/profile#second-factor';

/** Where a member asks an organization's owners to approve a service (the API links to it too). */
export function approvalRequestPath(orgSlug: string, clientId: string): string {
  return `/orgs/${encodeURIComponent(orgSlug)}/third-party/${encodeURIComponent(clientId)}/request`;
}

/** What a change of mode would stop: the services acting now that would not be let in any more, and whom they act for. */
export interface PolicyImpact {
  /** Client ids, each once. */
  appIds: string[];
  /** The members those services act for, each once. */
  userIds: string[];
}

/**
 * Issue 20: before the owners save a new mode, what it stops, counted from the grants of members
 * that reach the organization; a service it stops is one `decide` allows now and would not after.
 */
export function policyImpact(policy: OrgPolicy, next: ThirdPartyMode, grants: readonly { appId: string; userId: string }[]): PolicyImpact {
  const after: OrgPolicy = { ...policy, thirdParty: next };
  const stopped = grants.filter((g) => decide(policy, g.appId) === 'allowed' && decide(after, g.appId) !== 'allowed');
  return { appIds: [...new Set(stopped.map((g) => g.appId))], userIds: [...new Set(stopped.map((g) => g.userId))] };
}
