/**
 * Member changes from the settings page: add by email, change a role, remove, cancel an
 * invitation. Each goes through services/org_admin.ts (write, audit, announce), as the CLI's do. Adding
 * by email adds the account at once only when it proved the address; otherwise it invites the
 * address (pending on the page until the person accepts on /orgs, cancelled there, or expired). An organization never loses its last owner: the change is refused before it is made, and,
 * should two owners demote each other at the same moment (two nodes), the change that finds no
 * owner left once written is undone and refused.
 * @module
 */
import type { Deps } from '../../deps.ts';
import type { OrgAdmin } from '../../services/org_admin.ts';
import type { ThirdPartyMode } from '../../domain/policies.ts';
import type { Organization, Role } from '../../domain/organizations.ts';
import type { OrgMember } from '../../domain/org_members.ts';
import { addMemberByEmail, cancelInvitation as cancelPending, recordMembershipChange, removeMember as removeMembership, setMember } from '../../services/org_admin.ts';
import { ownersLeft } from '../../domain/org_members.ts';
import { isPlausibleEmail, normalizeEmail } from '../../domain/users.ts';

export const ROLES: readonly Role[] = ['owner', 'member'];

export const LAST_OWNER = 'An organization needs at least one owner. Make someone else an owner first.';

/** What a policy change would stop, shown for the owner to confirm before it is saved (issue 20). */
export interface PolicyConfirmation {
  mode: ThirdPartyMode;
  /** Each service it stops, with how many members it acts for. */
  services: { name: string; people: number }[];
  /** Members affected, each once. */
  people: number;
}

export type Outcome = { done: string } | { problem: string; status: number } | { confirm: PolicyConfirmation };

function problem(status: number, text: string): Outcome {
  return { problem: text, status };
}

async function audit(_deps: Deps, admin: OrgAdmin, org: Organization, userId: string, role: Role): Promise<void> {
  await recordMembershipChange(admin, org, userId, role);
}

/** After a change to `target`: if no owner is left (a concurrent change), put `target` back as it was. */
async function undoIfOwnerless(deps: Deps, admin: OrgAdmin, org: Organization, target: OrgMember): Promise<boolean> {
  if (ownersLeft(await deps.stores.orgMembers.listMembers(org.id)) > 0) return false;
  await setMember(admin, org, target.userId, target.role);
  await audit(deps, admin, org, target.userId, target.role);
  return true;
}

export async function addMember(deps: Deps, admin: OrgAdmin, org: Organization, rawEmail: string | undefined, rawRole: string | undefined): Promise<Outcome> {
  const email = normalizeEmail(rawEmail ?? '');
  if (!isPlausibleEmail(email)) return problem(400, 'Enter the email address of the person to add.');
  const role = ROLES.find((r) => r === (rawRole ?? 'member'));
  if (!role) return problem(400, 'Choose a role: owner or member.');
  const members = await deps.stores.orgMembers.listMembers(org.id);
  if (members.some((m) => m.email === email)) return problem(409, `${email} is already a member. Change their role in the list.`);
  const outcome = await addMemberByEmail({ ...admin, stores: deps.stores }, org, email, role);
  return { done: outcome.status };
}

export async function cancelInvitation(deps: Deps, admin: OrgAdmin, org: Organization, invitationId: string | undefined): Promise<Outcome> {
  if (!invitationId || !(await cancelPending({ ...admin, stores: deps.stores }, org, invitationId))) {
    return problem(400, 'That invitation is not pending any more.');
  }
  return { done: 'cancelled' };
}

export async function changeRole(deps: Deps, admin: OrgAdmin, org: Organization, userId: string | undefined, rawRole: string | undefined): Promise<Outcome> {
  const role = ROLES.find((r) => r === rawRole);
  if (!role) return problem(400, 'Choose a role: owner or member.');
  const members = await deps.stores.orgMembers.listMembers(org.id);
  const target = members.find((m) => m.userId === userId);
  if (!target) return problem(400, 'That person is not a member of this organization.');
  if (target.role === role) return { done: 'role' };
  if (target.role === 'owner' && ownersLeft(members) <= 1) return problem(409, LAST_OWNER);
  await setMember(admin, org, target.userId, role);
  await audit(deps, admin, org, target.userId, role);
  if (await undoIfOwnerless(deps, admin, org, target)) return problem(409, LAST_OWNER);
  return { done: 'role' };
}

export async function removeMember(deps: Deps, admin: OrgAdmin, org: Organization, userId: string | undefined): Promise<Outcome> {
  const members = await deps.stores.orgMembers.listMembers(org.id);
  const target = members.find((m) => m.userId === userId);
  if (!target) return problem(400, 'That person is not a member of this organization.');
  if (target.role === 'owner' && ownersLeft(members) <= 1) return problem(409, LAST_OWNER);
  if (!(await removeMembership(admin, org, target.userId))) return problem(400, 'That person is not a member of this organization.');
  if (await undoIfOwnerless(deps, admin, org, target)) return problem(409, LAST_OWNER);
  return { done: 'removed' };
}
