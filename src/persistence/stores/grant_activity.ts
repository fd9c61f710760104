import { sql } from 'kysely';
import type { Db } from '../database.ts';
import type { CallKindCount, GrantAction, GrantActivityBatch, GrantActivityStore } from '../../domain/grant_activity.ts';
import { randomId } from '../../crypto/random.ts';

export class SqlGrantActivityStore implements GrantActivityStore {
  constructor(private readonly db: Db) {}

  async record(batch: GrantActivityBatch, keepActions: number) {
    // A grant deleted since its calls were counted (its app was deleted) has nothing to attach them to.
    const ids = [...new Set([...batch.calls.keys(), ...batch.kinds.keys()])];
    if (ids.length === 0) return;
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
      for (const [grantId, kinds] of batch.kinds) {
        if (!existing.has(grantId)) continue;
        for (const k of kinds.values()) {
          await tx
            .insertInto('grant_call_kinds')
            .values({ grant_id: grantId, day: k.day, method: k.method, route: k.route, org: k.org, calls: k.calls, refused: k.refused, last_at: k.lastAt })
            .onConflict((oc) =>
              oc.columns(['grant_id', 'day', 'method', 'route', 'org']).doUpdateSet({
                calls: sql`grant_call_kinds.calls + ${k.calls}`,
                refused: sql`grant_call_kinds.refused + ${k.refused}`,
                last_at: sql`CASE WHEN grant_call_kinds.last_at > ${k.lastAt} THEN grant_call_kinds.last_at ELSE ${k.lastAt} END`,
              }),
            )
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

  async callKinds(grantId: string, sinceDay: string): Promise<CallKindCount[]> {
    const rows = await this.db
      .selectFrom('grant_call_kinds')
      .select(['day', 'method', 'route', 'org', 'calls', 'refused', 'last_at'])
      .where('grant_id', '=', grantId)
      .where('day', '>=', sinceDay)
      .execute();
    return rows.map((r) => ({ day: r.day, method: r.method, route: r.route, org: r.org, calls: Number(r.calls), refused: Number(r.refused), lastAt: Number(r.last_at) }));
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
