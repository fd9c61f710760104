import type { Db } from '../database.ts';
import type { AppErrorCount, AppErrorStore } from '../../domain/app_errors.ts';

export class SqlAppErrorStore implements AppErrorStore {
  constructor(private readonly db: Db) {}

  async add(counts: AppErrorCount[]) {
    if (counts.length === 0) return;
    await this.db.transaction().execute(async (tx) => {
      const ids = [...new Set(counts.map((c) => c.appId))];
      const known = new Set((await tx.selectFrom('apps').select('id').where('id', 'in', ids).execute()).map((r) => r.id));
      for (const c of counts) {
        if (!known.has(c.appId)) continue;
        await tx
          .insertInto('app_error_counts')
          .values({ app_id: c.appId, day: c.day, code: c.code, count: c.count })
          .onConflict((oc) => oc.columns(['app_id', 'day', 'code']).doUpdateSet((eb) => ({ count: eb('app_error_counts.count', '+', eb.ref('excluded.count')) })))
          .execute();
      }
    });
  }

  async list(appId: string, sinceDay: string): Promise<AppErrorCount[]> {
    const rows = await this.db
      .selectFrom('app_error_counts')
      .select(['day', 'code', 'count'])
      .where('app_id', '=', appId)
      .where('day', '>=', sinceDay)
      .orderBy('day', 'desc')
      .orderBy('code')
      .execute();
    // PostgreSQL returns bigint as a string.
    return rows.map((r) => ({ appId, day: r.day, code: r.code, count: Number(r.count) }));
  }
}
