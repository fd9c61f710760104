/**
 * What owners change about an organization and everything that must follow each change: the
 * write (one store call), the audit event, and the announcement that drops every node's cached
 * membership or policy (core/access_guard.ts), so the change applies at the next API call.
 * Used by the CLI today and by the organization settings pages later.
 * @module
 */
import type { AuditStore } from '../domain/audit.ts';
import type { OrganizationStore, Organization } from '../domain/organizations.ts';
import type { AppRule, ThirdPartyMode } from '../domain/policies.ts';
import { announceAccessChange } from './access_guard.ts';
import type { ChangeFeed } from '../persistence/change_feed.ts';
import type { DatabaseHandle } from '../persistence/database.ts';

export interface OrgAdmin {
  stores: { organizations: OrganizationStore; audit: AuditStore };
  /** Servers pass their feed; the CLI its database (one NOTIFY on PostgreSQL). */
  announce: { feed: ChangeFeed } | { database: DatabaseHandle };
  now: number;
  /** Who made the change, for the audit trail (`cli` when run by an operator). */
  via: string;
  actorUserId?: string | null;
}

export async function setThirdPartyMode(admin: OrgAdmin, org: Organization, mode: ThirdPartyMode): Promise<void> {
  await admin.stores.organizations.setThirdPartyMode(org.id, mode, admin.now);
  await admin.stores.audit.record({ type: 'org_policy.changed', userId: admin.actorUserId ?? null, detail: { via: admin.via, org: org.slug, third_party: mode } }, admin.now);
  await announceAccessChange(admin.announce, { type: 'org_policy', orgId: org.id });
}

/** `approved` lets the app act under the `approved` mode; `blocked` cuts it off; `undefined` withdraws either. */
export async function setAppRule(admin: OrgAdmin, org: Organization, appId: string, rule: AppRule | undefined): Promise<void> {
  await admin.stores.organizations.setAppRule(org.id, appId, rule, admin.now);
  const type = rule === 'approved' ? 'org_app.approved' : rule === 'blocked' ? 'org_app.blocked' : 'org_app.withdrawn';
  await admin.stores.audit.record({ type, userId: admin.actorUserId ?? null, appId, detail: { via: admin.via, org: org.slug } }, admin.now);
  await announceAccessChange(admin.announce, { type: 'org_policy', orgId: org.id });
}

/** False when the person was not a member. */
export async function removeMember(admin: OrgAdmin, org: Organization, userId: string): Promise<boolean> {
  const removed = await admin.stores.organizations.removeMember(org.id, userId, admin.now);
  if (!removed) return false;
  await admin.stores.audit.record({ type: 'membership.removed', userId, detail: { via: admin.via, org: org.slug, by: admin.actorUserId ?? null } }, admin.now);
  await announceAccessChange(admin.announce, { type: 'membership', userId });
  return true;
}

/** Adds a member or changes a role; announced like a removal since a role may matter to a cached check. */
export async function setMember(admin: OrgAdmin, org: Organization, userId: string, role: 'owner' | 'member'): Promise<void> {
  await admin.stores.organizations.setMember(org.id, userId, role, admin.now);
  await announceAccessChange(admin.announce, { type: 'membership', userId });
}
