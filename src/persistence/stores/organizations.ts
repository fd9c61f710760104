import type { Db } from '../database.ts';
import type { OrganizationsTable } from '../schema.ts';
import type { Membership, Organization, OrganizationStore, Role } from '../../domain/organizations.ts';
import { randomId } from '../../crypto/random.ts';
import { isUniqueViolation } from './errors.ts';

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
    await this.db
      .insertInto('memberships')
      .values({ org_id: orgId, user_id: userId, role, created_at: now })
      .onConflict((oc) => oc.columns(['org_id', 'user_id']).doUpdateSet({ role }))
      .execute();
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
