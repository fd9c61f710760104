/**
 * The organization steps of every request, after the token and its grant (bearer.ts): is the
 * person a member of this organization now, does the grant cover it, does the organization's
 * policy let this service act in it, and, where the organization requires a second factor, does
 * the person have one (issue 16). Reads the in-memory AccessGuard only (no database read in the
 * common case; the second-factor fact is read only in organizations that require one).
 * @module
 */
import type { AccessGuard } from '../caches/access_guard.ts';
import type { Membership, Organization } from '../domain/organizations.ts';
import { SECOND_FACTOR_SETUP_PATH, approvalRequestPath, decide, type OrgPolicy } from '../domain/policies.ts';
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
   * organization's policy shuts this service out, `second_factor_required` when the organization
   * requires a second factor the person does not have (after the policy: a blocked service
   * gains nothing from the person adding one).
   */
  async reach(principal: Principal, slug: string): Promise<Membership> {
    const reach = await this.guard.reachOf(principal.userId);
    const membership = reach.current.find((m) => m.org.slug === slug);
    if (!membership) {
      if (reach.former.some((o) => o.slug === slug)) throw new ApiError(403, 'not_a_member', slug, { org: slug });
      throw notFound(`org ${slug}`);
    }
    if (!grantCovers(principal, membership.org)) throw notFound(`org ${slug} not covered by grant`);
    const policy = await this.guard.policyOf(membership.org.id);
    this.checkPolicy(principal, membership.org, policy);
    if (policy.requireSecondFactor && !(await this.guard.meetsSecondFactor(principal.userId))) {
      // Not RFC 9470's insufficient_user_authentication: no new sign-in or token would help. The
      // account lacks a factor; once the person adds one, this same token works at its next call.
      throw new ApiError(403, 'second_factor_required', slug, { org: slug, setup_url: this.issuer + SECOND_FACTOR_SETUP_PATH });
    }
    return membership;
  }

  /**
   * Organizations this service may act in for this person, for GET /orgs. Like an organization
   * whose policy shuts the service out, one that requires a second factor the person lacks is
   * left out: the list names where the service can act, and a call there would be refused.
   */
  async reachable(principal: Principal): Promise<Membership[]> {
    const reach = await this.guard.reachOf(principal.userId);
    const out: Membership[] = [];
    for (const m of reach.current) {
      if (!grantCovers(principal, m.org)) continue;
      const policy = await this.guard.policyOf(m.org.id);
      if (decide(policy, principal.clientId) === 'allowed' && (await this.meetsRequirement(principal, policy))) out.push(m);
    }
    return out;
  }

  private checkPolicy(principal: Principal, org: Organization, policy: OrgPolicy): void {
    const decision = decide(policy, principal.clientId);
    if (decision === 'allowed') return;
    const approvalUrl = this.issuer + approvalRequestPath(org.slug, principal.clientId);
    throw new ApiError(403, 'org_policy_blocked', `${org.slug}: ${decision}`, { org: org.slug, approval_url: approvalUrl });
  }

  /** True unless the organization requires a second factor and the person has none; read only when required. */
  private async meetsRequirement(principal: Principal, policy: OrgPolicy): Promise<boolean> {
    return !policy.requireSecondFactor || this.guard.meetsSecondFactor(principal.userId);
  }
}
