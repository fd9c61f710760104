/**
 * What owners change about an organization and everything that must follow each change: the
 * write (one store call), the audit event, and the announcement that drops every node's cached
 * membership or policy (caches/access_guard.ts), so the change applies at the next API call.
 * Used by the CLI and by the organization pages (src/interaction/orgs/).
 *
 * Adding someone by email adds the account at once only when it has proven the address
 * (domain/users.ts `emailVerifiedAt`); otherwise it makes an invitation (domain/invitations.ts),
 * which the person accepts while signed in with that verified address. Accepting writes the
 * membership and announces it like any other addition.
 * @module
 */
import type { AuditStore } from '../domain/audit.ts';
import type { OrganizationStore, Organization, Role } from '../domain/organizations.ts';
import { policyImpact, type AppRule, type PolicyImpact, type ThirdPartyMode } from '../domain/policies.ts';
import type { OrgMemberStore } from '../domain/org_members.ts';
import type { AppStore } from '../domain/apps.ts';
import { utcDay } from '../domain/grant_activity.ts';
import { announceAccessChange } from '../caches/access_guard.ts';
import type { ChangeFeed } from '../persistence/change_feed.ts';
import type { User, UserStore } from '../domain/users.ts';
import { normalizeEmail } from '../domain/users.ts';
import { INVITATION_LIFETIME_SECONDS, isExpired, type Invitation, type InvitationStore } from '../domain/invitations.ts';
import type { DatabaseHandle } from '../persistence/database.ts';
import type { MailIntent } from '../domain/mail.ts';
import type { ApprovalRequestStore } from '../domain/approval_requests.ts';

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

/**
 * Whether services act only for members who have a second factor (issue 16). Announced like a
 * mode change: every node's API refuses (or lets in again) at the next call.
 */
/** An admin who can also read what a change of mode would stop. */
export interface PolicyAdmin extends OrgAdmin {
  stores: OrgAdmin['stores'] & { orgMembers: Pick<OrgMemberStore, 'memberGrants'>; apps: Pick<AppStore, 'find'> };
}

/** What switching `org` to `mode` would stop now, with the names of the services (issue 20: shown before saving). */
export async function thirdPartyModeImpact(admin: PolicyAdmin, org: Organization, mode: ThirdPartyMode): Promise<PolicyImpact & { stopped: { appId: string; userId: string }[]; names: Map<string, string> }> {
  const [policy, grants] = await Promise.all([admin.stores.organizations.policyOf(org.id), admin.stores.orgMembers.memberGrants(org.id, admin.now, utcDay(admin.now))]);
  const impact = policyImpact(policy, mode, grants);
  const names = new Map<string, string>();
  for (const id of impact.appIds) names.set(id, (await admin.stores.apps.find(id))?.name ?? id);
  const stopped = grants.filter((g) => impact.appIds.includes(g.appId) && impact.userIds.includes(g.userId));
  return { ...impact, stopped, names };
}

/**
 * The owners' change of mode, from the settings page or `tessera org policy`: written as
 * `setThirdPartyMode` writes it, then each member a service stopped acting for is told which ones,
 * on their profile and by mail (a notice, `org_policy.stopped_services`).
 */
export async function changeThirdPartyMode(admin: PolicyAdmin, org: Organization, mode: ThirdPartyMode): Promise<PolicyImpact> {
  const impact = await thirdPartyModeImpact(admin, org, mode);
  await setThirdPartyMode(admin, org, mode);
  for (const userId of impact.userIds) {
    const apps = [...new Set(impact.stopped.filter((g) => g.userId === userId).map((g) => impact.names.get(g.appId)!))].sort();
    await admin.stores.audit.record({ type: 'org_policy.stopped_services', userId, detail: { org: org.name, org_slug: org.slug, apps, mode } }, admin.now);
  }
  return { appIds: impact.appIds, userIds: impact.userIds };
}

export async function setRequireSecondFactor(admin: OrgAdmin, org: Organization, required: boolean): Promise<void> {
  await admin.stores.organizations.setRequireSecondFactor(org.id, required, admin.now);
  await admin.stores.audit.record({ type: 'org_policy.changed', userId: admin.actorUserId ?? null, detail: { via: admin.via, org: org.slug, require_second_factor: required } }, admin.now);
  await announceAccessChange(admin.announce, { type: 'org_policy', orgId: org.id });
}

/**
 * Issue 17: whether people may sign services in to this organization through the device flow
 * (RFC 8628). Off, a device approval leaves the organization out of the grant.
 */
export async function setDeviceFlowOff(admin: OrgAdmin, org: Organization, off: boolean): Promise<void> {
  await admin.stores.organizations.setDeviceFlowOff(org.id, off, admin.now);
  await admin.stores.audit.record({ type: 'org_policy.changed', userId: admin.actorUserId ?? null, detail: { via: admin.via, org: org.slug, device_flow: off ? 'off' : 'on' } }, admin.now);
  await announceAccessChange(admin.announce, { type: 'org_policy', orgId: org.id });
}

/** `approved` lets the app act under the `approved` mode; `blocked` cuts it off; `undefined` withdraws either. */
export async function setAppRule(admin: OrgAdmin, org: Organization, appId: string, rule: AppRule | undefined): Promise<void> {
  await admin.stores.organizations.setAppRule(org.id, appId, rule, admin.now);
  const type = rule === 'approved' ? 'org_app.approved' : rule === 'blocked' ? 'org_app.blocked' : 'org_app.withdrawn';
  await admin.stores.audit.record({ type, userId: admin.actorUserId ?? null, appId, detail: { via: admin.via, org: org.slug } }, admin.now);
  await announceAccessChange(admin.announce, { type: 'org_policy', orgId: org.id });
}

/** An admin who can also answer members' approval requests. */
export interface RequestAnswerer extends OrgAdmin {
  stores: OrgAdmin['stores'] & { approvalRequests: ApprovalRequestStore };
}

/**
 * The owners' answer to every pending request for one service (issue 20, closing the loop): the
 * requests close, and each person who asked is told, on their profile and by mail (a notice,
 * domain/notices.ts), with where to go next. The service's standing itself is `setAppRule`'s.
 * Returns how many requests were answered.
 */
export async function answerAppRequests(admin: RequestAnswerer, org: Organization, app: { id: string; name: string }, answer: 'approved' | 'denied'): Promise<number> {
  const askers = await admin.stores.approvalRequests.close(org.id, app.id, answer, admin.actorUserId ?? '', admin.now);
  for (const userId of askers) {
    await admin.stores.audit.record({ type: 'org_app.request_answered', userId, appId: app.id, detail: { app: app.name, org: org.name, org_slug: org.slug, answer } }, admin.now);
  }
  return askers.length;
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

/** An admin that may also invite: it reads accounts and writes invitations. */
export interface InvitingAdmin extends OrgAdmin {
  stores: OrgAdmin['stores'] & { users: UserStore; invitations: InvitationStore };
}

/**
 * The one account that has proven `email`, or undefined: none has, or several have (a personal and
 * a work account with the same verified address), in which case the person who accepts says which.
 */
export async function verifiedAccountFor(users: UserStore, email: string): Promise<User | undefined> {
  const accounts = await users.findVerifiedByEmail(email);
  return accounts.length === 1 ? accounts[0] : undefined;
}

export type AddedByEmail = { status: 'added'; user: User } | { status: 'invited'; invitation: Invitation; renewed: boolean };

/**
 * Adds `email` to the organization with `role`: the account at once when it is the one that proved
 * the address, an invitation otherwise (also when no account has the address yet: an account made
 * later never becomes a member by itself). Callers deal with a current member first (the page
 * refuses, the CLI changes the role).
 */
export async function addMemberByEmail(admin: InvitingAdmin, org: Organization, email: string, role: Role): Promise<AddedByEmail> {
  const user = await verifiedAccountFor(admin.stores.users, email);
  if (!user) return { status: 'invited', ...(await inviteMember(admin, org, email, role)) };
  await setMember(admin, org, user.id, role);
  await recordMembershipChange(admin, org, user.id, role);
  return { status: 'added', user };
}

/** The audit event of a membership written or changed (not of a removal: `membership.removed`). */
export async function recordMembershipChange(admin: OrgAdmin, org: Organization, userId: string, role: Role, detail: Record<string, unknown> = {}): Promise<void> {
  await admin.stores.audit.record({ type: 'membership.changed', userId, detail: { via: admin.via, org: org.slug, role, by: admin.actorUserId ?? null, ...detail } }, admin.now);
}

/**
 * A pending invitation (a renewal when one is pending already), mailed to the address in the same
 * transaction (issue 15; a renewal mails again), then audited. The mail links to /orgs, never to
 * something that accepts by itself: accepting needs the signed-in, verified address.
 */
export async function inviteMember(admin: InvitingAdmin, org: Organization, email: string, role: Role): Promise<{ invitation: Invitation; renewed: boolean }> {
  const to = normalizeEmail(email);
  const expiresAt = admin.now + INVITATION_LIFETIME_SECONDS;
  const inviter = admin.actorUserId ? await admin.stores.users.findById(admin.actorUserId) : undefined;
  const mail: MailIntent = { kind: 'invitation', to, userId: null, data: { orgName: org.name, orgSlug: org.slug, role, invitedBy: inviter?.name ?? null, expiresAt } };
  const { invitation, renewed } = await admin.stores.invitations.invite({ orgId: org.id, email: to, role, invitedBy: admin.actorUserId ?? null, expiresAt }, admin.now, mail);
  await admin.stores.audit.record(
    {
      type: 'org.member_invited',
      userId: admin.actorUserId ?? null,
      detail: { via: admin.via, org: org.slug, email: invitation.email, role, invitation: invitation.id, expires_at: invitation.expiresAt, renewed },
    },
    admin.now,
  );
  return { invitation, renewed };
}

/** Why `user` may not answer `invitation`, or undefined when they may. */
export function answerRefusal(invitation: Invitation, user: User, now: number): 'other_address' | 'unverified' | 'closed' | 'expired' | undefined {
  if (normalizeEmail(user.email) !== invitation.email) return 'other_address';
  if (user.emailVerifiedAt === null) return 'unverified';
  if (invitation.status !== 'pending') return 'closed';
  if (isExpired(invitation, now)) return 'expired';
  return undefined;
}

/**
 * `user` accepts: refused unless their verified address is the invitation's. The membership is
 * written in the same transaction as the acceptance (a member keeps their role), audited, and
 * announced like setMember's, so every node's API sees it at the next call.
 */
export async function acceptInvitation(admin: InvitingAdmin, org: Organization, invitation: Invitation, user: User): Promise<'accepted' | 'closed' | 'expired' | 'other_address' | 'unverified'> {
  const refusal = answerRefusal(invitation, user, admin.now);
  if (refusal) return refusal;
  const accepted = await admin.stores.invitations.accept(invitation.id, user.id, admin.now);
  if (!accepted) return 'closed';
  await admin.stores.audit.record(
    { type: 'org.invitation_accepted', userId: user.id, detail: { via: admin.via, org: org.slug, role: invitation.role, invitation: invitation.id, joined: accepted.joined } },
    admin.now,
  );
  if (accepted.joined) {
    await recordMembershipChange(admin, org, user.id, invitation.role, { invitation: invitation.id });
    await announceAccessChange(admin.announce, { type: 'membership', userId: user.id });
  }
  return 'accepted';
}

/** `user` declines (same conditions as accepting, so nobody else can make it disappear). */
export async function declineInvitation(admin: InvitingAdmin, org: Organization, invitation: Invitation, user: User): Promise<'declined' | 'closed' | 'expired' | 'other_address' | 'unverified'> {
  const refusal = answerRefusal(invitation, user, admin.now);
  if (refusal) return refusal;
  if (!(await admin.stores.invitations.close(invitation.id, 'declined', user.id, admin.now))) return 'closed';
  await admin.stores.audit.record({ type: 'org.invitation_declined', userId: user.id, detail: { via: admin.via, org: org.slug, invitation: invitation.id } }, admin.now);
  return 'declined';
}

/** An owner (or the CLI) cancels a pending invitation of `org`; false when there is none such. */
export async function cancelInvitation(admin: InvitingAdmin, org: Organization, invitationId: string): Promise<boolean> {
  const invitation = await admin.stores.invitations.find(invitationId);
  if (!invitation || invitation.orgId !== org.id) return false;
  if (!(await admin.stores.invitations.close(invitation.id, 'cancelled', admin.actorUserId ?? null, admin.now))) return false;
  await admin.stores.audit.record(
    { type: 'org.invitation_cancelled', userId: admin.actorUserId ?? null, detail: { via: admin.via, org: org.slug, email: invitation.email, invitation: invitation.id } },
    admin.now,
  );
  return true;
}
