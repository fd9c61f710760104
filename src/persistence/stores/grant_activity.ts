import { sql } from 'kysely';
import type { Db } from '../database.ts';
import type { GrantAction, GrantActivityBatch, GrantActivityStore } from '../../domain/grant_activity.ts';
import { randomId } from '../../crypto/random.ts';

export class SqlGrantActivityStore implements GrantActivityStore {
  constructor(private readonly db: Db) {}

  async record(batch: GrantActivityBatch, keepActions: number) {
    // A grant deleted since its calls were counted (its app was deleted) has nothing to attach them to.
    const ids = [...batch.calls.keys()];
    const existing = new Set((await this.db.selectFrom('grants').select('id').where('id', 'in', ids).execute()).map((r) => r.id));
    await this.db.transaction().execute(async (tx) => {
      for (const [grantId, days] of batch.calls) {
        if (!existing.has(grantId)) continue;
        for (const [day, calls] of days) {
          await tx
            .insertInto('grant_activity')
            .values({ grant_id: grantId, day, calls })
            .onConflict((oc) => oc.columns(['grant_id', 'day']).doUpdateSet({ calls: sql`grant_activity.calls + ${calls}` }))
            .execute();
        }
      }
      for (const [grantId, actions] of batch.actions) {
        if (!existing.has(grantId)) continue;
        await tx
          .insertInto('grant_actions')
          .values(actions.map((a) => ({ id: randomId(), grant_id: grantId, at: a.at, method: a.method, route: a.path, status: a.status, ip: a.ip })))
          .execute();
        // Only the newest few are ever shown: trim the rest as they are written.
        const keep = tx.selectFrom('grant_actions').select('id').where('grant_id', '=', grantId).orderBy('at', 'desc').orderBy('id', 'desc').limit(keepActions);
        await tx.deleteFrom('grant_actions').where('grant_id', '=', grantId).where('id', 'not in', keep).execute();
      }
    });
  }

  async dailyCalls(grantId: string, sinceDay: string) {
    const rows = await this.db
      .selectFrom('grant_activity')
      .select(['day', 'calls'])
      .where('grant_id', '=', grantId)
      .where('day', '>=', sinceDay)
      .orderBy('day')
      .execute();
    return rows.map((r) => ({ day: r.day, calls: Number(r.calls) }));
  }

  async recentActions(grantId: string, limit: number): Promise<GrantAction[]> {
    const rows = await this.db
      .selectFrom('grant_actions')
      .selectAll()
      .where('grant_id', '=', grantId)
      .orderBy('at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ at: r.at, method: r.method, path: r.route, status: r.status, ip: r.ip }));
  }
}
