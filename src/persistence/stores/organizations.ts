import type { Db } from '../database.ts';
import type { OrganizationsTable } from '../schema.ts';
import type { Membership, Organization, OrganizationStore, Reach, Role } from '../../domain/organizations.ts';
import { THIRD_PARTY_MODES, decide, type AppRule, type OrgPolicy, type ThirdPartyMode } from '../../domain/policies.ts';
import { randomId } from '../../crypto/random.ts';
import { isUniqueViolation } from './errors.ts';
import { insertCutOffEvents, insertPolicyCutOffEvents } from './security_events.ts';
import { CAUSES } from '../../domain/security_events.ts';

function toOrganization(row: OrganizationsTable): Organization {
  return { id: row.id, slug: row.slug, name: row.name, createdAt: row.created_at };
}

export class SqlOrganizationStore implements OrganizationStore {
  constructor(private readonly db: Db) {}

  async create(input: { slug: string; name: string; ownerUserId?: string }, now: number) {
    const row: OrganizationsTable = { id: randomId(), slug: input.slug, name: input.name, created_at: now };
    try {
      await this.db.transaction().execute(async (tx) => {
        await tx.insertInto('organizations').values(row).execute();
        if (input.ownerUserId) {
          await tx.insertInto('memberships').values({ org_id: row.id, user_id: input.ownerUserId, role: 'owner', created_at: now }).execute();
        }
      });
    } catch (err) {
      if (isUniqueViolation(err)) return undefined;
      throw err;
    }
    return toOrganization(row);
  }

  async findBySlug(slug: string) {
    const row = await this.db.selectFrom('organizations').selectAll().where('slug', '=', slug).executeTakeFirst();
    return row && toOrganization(row);
  }

  async setMember(orgId: string, userId: string, role: Role, now: number) {
    await this.db.transaction().execute(async (tx) => {
      await tx
        .insertInto('memberships')
        .values({ org_id: orgId, user_id: userId, role, created_at: now })
        .onConflict((oc) => oc.columns(['org_id', 'user_id']).doUpdateSet({ role }))
        .execute();
      await tx.deleteFrom('former_memberships').where('org_id', '=', orgId).where('user_id', '=', userId).execute();
    });
  }

  async removeMember(orgId: string, userId: string, now: number) {
    return this.db.transaction().execute(async (tx) => {
      const removed = await tx.deleteFrom('memberships').where('org_id', '=', orgId).where('user_id', '=', userId).executeTakeFirst();
      if (Number(removed.numDeletedRows) === 0) return false;
      await tx
        .insertInto('former_memberships')
        .values({ org_id: orgId, user_id: userId, left_at: now })
        .onConflict((oc) => oc.columns(['org_id', 'user_id']).doUpdateSet({ left_at: now }))
        .execute();
      return true;
    });
  }

  async reachOf(userId: string): Promise<Reach> {
    const current = await this.listForUser(userId);
    const former = await this.db
      .selectFrom('former_memberships')
      .innerJoin('organizations', 'organizations.id', 'former_memberships.org_id')
      .select(['organizations.id', 'organizations.slug', 'organizations.name', 'organizations.created_at'])
      .where('former_memberships.user_id', '=', userId)
      .execute();
    return { current, former: former.map(toOrganization) };
  }

  async policyOf(orgId: string): Promise<OrgPolicy> {
    const row = await this.db.selectFrom('org_policies').select(['third_party', 'require_second_factor', 'device_flow_off']).where('org_id', '=', orgId).executeTakeFirst();
    const rules = await this.db.selectFrom('org_app_rules').select(['app_id', 'rule']).where('org_id', '=', orgId).execute();
    const mode = THIRD_PARTY_MODES.find((m) => m === row?.third_party) ?? 'allow';
    return { thirdParty: mode, apps: new Map(rules.map((r) => [r.app_id, r.rule as AppRule])), requireSecondFactor: Number(row?.require_second_factor ?? 0) === 1,
      deviceFlowOff: Number(row?.device_flow_off ?? 0) === 1,
    };
  }

  async setThirdPartyMode(orgId: string, mode: ThirdPartyMode, now: number) {
    await this.db.transaction().execute(async (tx) => {
      const before = await tx.selectFrom('org_policies').select('third_party').where('org_id', '=', orgId).executeTakeFirst();
      await tx
        .insertInto('org_policies')
        .values({ org_id: orgId, third_party: mode, updated_at: now })
        .onConflict((oc) => oc.column('org_id').doUpdateSet({ third_party: mode, updated_at: now }))
        .execute();
      // A stricter mode cuts off every app it no longer lets in: each hears so, with the mode (issue 19).
      const rules = new Map((await tx.selectFrom('org_app_rules').select(['app_id', 'rule']).where('org_id', '=', orgId).execute()).map((r) => [r.app_id, r.rule as AppRule]));
      const policy = (thirdParty: ThirdPartyMode): OrgPolicy => ({ thirdParty, apps: rules, requireSecondFactor: false });
      const old = policy(THIRD_PARTY_MODES.find((m) => m === before?.third_party) ?? 'allow');
      await insertPolicyCutOffEvents(tx, orgId, (appId) => decide(old, appId) === 'allowed' && decide(policy(mode), appId) !== 'allowed', CAUSES.orgPolicy, now);
    });
  }

  async setRequireSecondFactor(orgId: string, required: boolean, now: number) {
    // A new row keeps the default mode: only the requirement was chosen.
    const value = required ? 1 : 0;
    await this.db
      .insertInto('org_policies')
      .values({ org_id: orgId, third_party: 'allow', require_second_factor: value, updated_at: now })
      .onConflict((oc) => oc.column('org_id').doUpdateSet({ require_second_factor: value, updated_at: now }))
      .execute();
  }

  async setDeviceFlowOff(orgId: string, off: boolean, now: number) {
    // A new row keeps the default mode: only the device flow was chosen.
    const value = off ? 1 : 0;
    await this.db
      .insertInto('org_policies')
      .values({ org_id: orgId, third_party: 'allow', device_flow_off: value, updated_at: now })
      .onConflict((oc) => oc.column('org_id').doUpdateSet({ device_flow_off: value, updated_at: now }))
      .execute();
  }

  async setAppRule(orgId: string, appId: string, rule: AppRule | undefined, now: number) {
    await this.db.transaction().execute(async (tx) => {
      const mode = await tx.selectFrom('org_policies').select('third_party').where('org_id', '=', orgId).executeTakeFirst();
      const before = await tx.selectFrom('org_app_rules').select('rule').where('org_id', '=', orgId).where('app_id', '=', appId).executeTakeFirst();
      if (rule === undefined) {
        await tx.deleteFrom('org_app_rules').where('org_id', '=', orgId).where('app_id', '=', appId).execute();
      } else {
        await tx
          .insertInto('org_app_rules')
          .values({ org_id: orgId, app_id: appId, rule, updated_at: now })
          .onConflict((oc) => oc.columns(['org_id', 'app_id']).doUpdateSet({ rule, updated_at: now }))
          .execute();
      }
      // The app was let in and no longer is (cut off, or its approval withdrawn under "approved
      // only"): it hears so, in this transaction (issue 19, CAEP token-claims-change).
      const thirdParty = THIRD_PARTY_MODES.find((m) => m === mode?.third_party) ?? 'allow';
      const standing = (r: string | undefined): OrgPolicy => ({ thirdParty, apps: new Map(r === undefined ? [] : [[appId, r as AppRule]]), requireSecondFactor: false });
      if (decide(standing(before?.rule), appId) === 'allowed' && decide(standing(rule), appId) !== 'allowed') {
        await insertCutOffEvents(tx, orgId, appId, rule === 'blocked' ? CAUSES.orgCutOff : CAUSES.orgPolicy, now);
      }
    });
  }

  async isMember(orgId: string, userId: string) {
    const row = await this.db.selectFrom('memberships').select('role').where('org_id', '=', orgId).where('user_id', '=', userId).executeTakeFirst();
    return row !== undefined;
  }

  async listForUser(userId: string): Promise<Membership[]> {
    const rows = await this.db
      .selectFrom('memberships')
      .innerJoin('organizations', 'organizations.id', 'memberships.org_id')
      .select(['organizations.id', 'organizations.slug', 'organizations.name', 'organizations.created_at', 'memberships.role'])
      .where('memberships.user_id', '=', userId)
      .orderBy('organizations.slug')
      .execute();
    return rows.map((r) => ({ org: toOrganization(r), role: r.role as Role }));
  }
}
