/**
 * The organization steps of every request, after the token and its grant (bearer.ts): is the
 * person a member of this organization now, does the grant cover it, and does the organization's
 * policy let this service act in it. Reads the in-memory AccessGuard only (no database read in
 * the common case).
 * @module
 */
import type { AccessGuard } from '../caches/access_guard.ts';
import type { Membership, Organization } from '../domain/organizations.ts';
import { approvalRequestPath, decide } from '../domain/policies.ts';
import type { Principal } from './bearer.ts';
import { ApiError, notFound } from './problem.ts';

/**
 * Whether the grant covers this organization: every organization the person belongs to, now and
 * later, unless the person kept only some (on the approval page or under "Manage applications").
 */
function grantCovers(principal: Principal, org: Organization): boolean {
  return principal.orgIds === null || principal.orgIds.includes(org.id);
}

export class OrgAccess {
  constructor(
    private readonly guard: AccessGuard,
    private readonly issuer: string,
  ) {}

  /**
   * The person's membership of the organization `slug`, or a refusal: `not_found` for an
   * organization they never belonged to (its existence is not revealed), `not_a_member` for one
   * they left, `not_found` when the grant does not cover it, `org_policy_blocked` when the
   * organization's policy shuts this service out.
   */
  async reach(principal: Principal, slug: string): Promise<Membership> {
    const reach = await this.guard.reachOf(principal.userId);
    const membership = reach.current.find((m) => m.org.slug === slug);
    if (!membership) {
      if (reach.former.some((o) => o.slug === slug)) throw new ApiError(403, 'not_a_member', slug, { org: slug });
      throw notFound(`org ${slug}`);
    }
    if (!grantCovers(principal, membership.org)) throw notFound(`org ${slug} not covered by grant`);
    await this.checkPolicy(principal, membership.org);
    return membership;
  }

  /** Organizations this service may act in for this person, for GET /orgs. */
  async reachable(principal: Principal): Promise<Membership[]> {
    const reach = await this.guard.reachOf(principal.userId);
    const out: Membership[] = [];
    for (const m of reach.current) {
      if (!grantCovers(principal, m.org)) continue;
      if (decide(await this.guard.policyOf(m.org.id), principal.clientId) === 'allowed') out.push(m);
    }
    return out;
  }

  private async checkPolicy(principal: Principal, org: Organization): Promise<void> {
    const decision = decide(await this.guard.policyOf(org.id), principal.clientId);
    if (decision === 'allowed') return;
    const approvalUrl = this.issuer + approvalRequestPath(org.slug, principal.clientId);
    throw new ApiError(403, 'org_policy_blocked', `${org.slug}: ${decision}`, { org: org.slug, approval_url: approvalUrl });
  }
}
