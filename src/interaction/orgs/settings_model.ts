/**
 * What the settings page shows, read fresh from the database (not the API's cache): members,
 * pending invitations, the policy (with the members who lack the second factor it may require),
 * pending approval requests grouped by service, and the services acting in the
 * organization — every service holding a live grant of a member that covers it, plus any the
 * owners approved or cut off — with for whom, when last used and how many calls.
 * @module
 */
import type { Deps } from '../../deps.ts';
import type { Organization } from '../../domain/organizations.ts';
import type { App } from '../../domain/apps.ts';
import { decide, type AppRule, type PolicyDecision, type ThirdPartyMode } from '../../domain/policies.ts';
import { formatTime } from '../profile/events.ts';
import { utcDay } from '../../domain/grant_activity.ts';
import { ACTIVITY_PERIOD_DAYS } from '../../domain/dates.ts';
import { scopeTexts, type ScopeText } from '../views/scope_lines.tsx';

/** How far back "calls" counts (grant_activity days, UTC). */
export const ACTIVITY_DAYS = ACTIVITY_PERIOD_DAYS;

export interface ServiceRef {
  id: string;
  name: string;
  publisher: string;
  verified: boolean;
}

export interface MemberRow {
  userId: string;
  name: string;
  email: string;
  role: 'owner' | 'member';
  since: string;
  isMe: boolean;
}

/** An invitation waiting for its person (not yet expired). */
export interface InvitationRow {
  id: string;
  email: string;
  role: 'owner' | 'member';
  /** The owner who invited, by name; null from the CLI or for a former owner. */
  invitedBy: string | null;
  expires: string;
}

export interface RequestRow {
  app: ServiceRef;
  /** What the service may ask for (its registered scopes): what approving it lets in (issue 20). */
  scopes: ScopeText[];
  /** Who asked, oldest first. */
  people: string[];
  since: string;
}

export interface ServiceRow {
  app: ServiceRef;
  /** Members it acts for. */
  people: string[];
  lastUsed: string | null;
  calls: number;
  rule: AppRule | undefined;
  decision: PolicyDecision;
}

export interface SettingsModel {
  members: MemberRow[];
  invitations: InvitationRow[];
  mode: ThirdPartyMode;
  /** Services act only for members with a second factor (issue 16). */
  requireSecondFactor: boolean;
  /** Members without one (by name, owners first): services cannot act for them while it is required. */
  withoutSecondFactor: { name: string; email: string }[];
  /** Issue 17: sign-ins on a device (the device flow) leave this organization out. */
  deviceFlowOff: boolean;
  requests: RequestRow[];
  services: ServiceRow[];
}

function ref(app: App): ServiceRef {
  return { id: app.id, name: app.name, publisher: app.publisher, verified: app.verified };
}

export async function loadSettings(deps: Deps, org: Organization, meUserId: string): Promise<SettingsModel> {
  const now = deps.clock.now();
  const [members, invitations, policy, pending, grants, lacking] = await Promise.all([
    deps.stores.orgMembers.listMembers(org.id),
    deps.stores.invitations.listPending(org.id, now),
    deps.stores.organizations.policyOf(org.id),
    deps.stores.approvalRequests.listPending(org.id),
    deps.stores.orgMembers.memberGrants(org.id, now, utcDay(now - (ACTIVITY_DAYS - 1) * 86400)),
    deps.stores.orgMembers.withoutSecondFactor(org.id),
  ]);
  const lackingIds = new Set(lacking);
  const names = new Map(members.map((m) => [m.userId, m.name]));
  const appIds = new Set([...grants.map((g) => g.appId), ...policy.apps.keys(), ...pending.map((r) => r.appId)]);
  const apps = new Map<string, App>();
  for (const id of appIds) {
    const app = await deps.stores.apps.find(id);
    if (app) apps.set(id, app);
  }

  const requests = new Map<string, RequestRow>();
  for (const r of pending) {
    const app = apps.get(r.appId);
    if (!app) continue;
    const row = requests.get(r.appId) ?? { app: ref(app), scopes: scopeTexts(app.scopes), people: [], since: formatTime(r.createdAt) };
    // A requester who has left since is not shown; the request stays until the owners answer.
    const name = names.get(r.userId);
    if (name !== undefined) row.people.push(name);
    requests.set(r.appId, row);
  }

  const services = new Map<string, ServiceRow & { lastUsedAt: number | null }>();
  for (const id of appIds) {
    const app = apps.get(id);
    if (!app || (!policy.apps.has(id) && !grants.some((g) => g.appId === id))) continue;
    services.set(id, { app: ref(app), people: [], lastUsed: null, lastUsedAt: null, calls: 0, rule: policy.apps.get(id), decision: decide(policy, id) });
  }
  for (const g of grants) {
    const row = services.get(g.appId);
    if (!row) continue;
    row.people.push(names.get(g.userId) ?? g.userId);
    row.calls += g.calls;
    if (g.lastUsedAt !== null && (row.lastUsedAt === null || g.lastUsedAt > row.lastUsedAt)) row.lastUsedAt = g.lastUsedAt;
  }

  return {
    members: members.map((m) => ({ userId: m.userId, name: m.name, email: m.email, role: m.role, since: formatTime(m.since), isMe: m.userId === meUserId })),
    invitations: invitations.map((i) => ({
      id: i.id,
      email: i.email,
      role: i.role,
      invitedBy: i.invitedBy === null ? null : (names.get(i.invitedBy) ?? null),
      expires: formatTime(i.expiresAt),
    })),
    mode: policy.thirdParty,
    requireSecondFactor: policy.requireSecondFactor,
    withoutSecondFactor: members.filter((m) => lackingIds.has(m.userId)).map((m) => ({ name: m.name, email: m.email })),
    deviceFlowOff: policy.deviceFlowOff === true,
    requests: [...requests.values()],
    services: [...services.values()]
      .map(({ lastUsedAt, ...row }) => ({ ...row, people: row.people.sort(), lastUsed: lastUsedAt === null ? null : formatTime(lastUsedAt) }))
      .sort((a, b) => a.app.name.localeCompare(b.app.name)),
  };
}
