import type { Db } from '../database.ts';
import type { AppOwnerStore, OrgOwnedApp } from '../../domain/app_owners.ts';

export class SqlAppOwnerStore implements AppOwnerStore {
  constructor(private readonly db: Db) {}

  async orgOf(appId: string) {
    const row = await this.db.selectFrom('apps').select('owner_org_id').where('id', '=', appId).executeTakeFirst();
    return row?.owner_org_id ?? undefined;
  }

  async moveToOrg(appId: string, orgId: string, now: number) {
    // One statement: there is no moment at which the app has both owners, or none.
    await this.db.updateTable('apps').set({ owner_org_id: orgId, owner_user_id: null, updated_at: now }).where('id', '=', appId).execute();
  }

  async listByOrgs(orgIds: string[]): Promise<OrgOwnedApp[]> {
    if (orgIds.length === 0) return [];
    const rows = await this.db
      .selectFrom('apps')
      .select(['id', 'owner_org_id'])
      .where('owner_org_id', 'in', orgIds)
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .execute();
    return rows.map((r) => ({ appId: r.id, orgId: r.owner_org_id! }));
  }
}
