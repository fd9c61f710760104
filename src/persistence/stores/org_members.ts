import type { Db } from '../database.ts';
import type { MemberGrant, OrgMember, OrgMemberStore } from '../../domain/org_members.ts';
import type { Role } from '../../domain/organizations.ts';
import { parseOrgIds } from '../../domain/grants.ts';

export class SqlOrgMemberStore implements OrgMemberStore {
  constructor(private readonly db: Db) {}

  async listMembers(orgId: string): Promise<OrgMember[]> {
    const rows = await this.db
      .selectFrom('memberships')
      .innerJoin('users', 'users.id', 'memberships.user_id')
      .select(['users.id', 'users.email', 'users.name', 'memberships.role', 'memberships.created_at'])
      .where('memberships.org_id', '=', orgId)
      .execute();
    const members = rows.map((r) => ({ userId: r.id, email: r.email, name: r.name, role: r.role as Role, since: r.created_at }));
    // Sorted here, not in SQL: the dialects collate names differently.
    return members.sort((a, b) => (a.role === b.role ? a.name.localeCompare(b.name) || a.email.localeCompare(b.email) : a.role === 'owner' ? -1 : 1));
  }

  async withoutSecondFactor(orgId: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('memberships')
      .innerJoin('users', 'users.id', 'memberships.user_id')
      .select('users.id')
      .where('memberships.org_id', '=', orgId)
      .where('users.kind', '=', 'personal')
      .where(({ not, exists, selectFrom }) =>
        not(exists(selectFrom('user_totp').select('user_totp.user_id').whereRef('user_totp.user_id', '=', 'users.id').where('user_totp.enabled_at', 'is not', null))),
      )
      .where(({ not, exists, selectFrom }) => not(exists(selectFrom('passkeys').select('passkeys.id').whereRef('passkeys.user_id', '=', 'users.id'))))
      .execute();
    return rows.map((r) => r.id);
  }

  async memberGrants(orgId: string, now: number, sinceDay: string): Promise<MemberGrant[]> {
    const rows = await this.db
      .selectFrom('grants')
      .innerJoin('memberships', 'memberships.user_id', 'grants.user_id')
      .select(['grants.id', 'grants.app_id', 'grants.user_id', 'grants.last_used_at', 'grants.org_ids'])
      .where('memberships.org_id', '=', orgId)
      .where('grants.revoked_at', 'is', null)
      .where((eb) => eb.or([eb('grants.expires_at', 'is', null), eb('grants.expires_at', '>', now)]))
      .execute();
    // A grant its person kept to other organizations cannot act here (the API's grantCovers).
    const covering = rows.filter((r) => parseOrgIds(r.org_ids)?.includes(orgId) ?? true);
    const sums = await this.db
      .selectFrom('grant_activity')
      .innerJoin('grants', 'grants.id', 'grant_activity.grant_id')
      .innerJoin('memberships', 'memberships.user_id', 'grants.user_id')
      .select(['grant_activity.grant_id', (eb) => eb.fn.sum<number | string>('grant_activity.calls').as('calls')])
      .where('memberships.org_id', '=', orgId)
      .where('grants.revoked_at', 'is', null)
      .where('grant_activity.day', '>=', sinceDay)
      .groupBy('grant_activity.grant_id')
      .execute();
    // PostgreSQL sums a bigint as numeric, which pg reads as a string.
    const calls = new Map(sums.map((s) => [s.grant_id, Number(s.calls)]));
    return covering.map((r) => ({ grantId: r.id, appId: r.app_id, userId: r.user_id, lastUsedAt: r.last_used_at, calls: calls.get(r.id) ?? 0 }));
  }
}
