import type { Db } from '../database.ts';
import type { DayCount } from '../../domain/operator_overview.ts';
import type { TokenCountStore } from '../../domain/token_counts.ts';

export class SqlTokenCountStore implements TokenCountStore {
  constructor(private readonly db: Db) {}

  async add(counts: readonly DayCount[]) {
    if (counts.length === 0) return;
    await this.db.transaction().execute(async (tx) => {
      for (const c of counts) {
        await tx
          .insertInto('token_counts')
          .values({ day: c.day, count: c.count })
          .onConflict((oc) => oc.column('day').doUpdateSet((eb) => ({ count: eb('token_counts.count', '+', eb.ref('excluded.count')) })))
          .execute();
      }
    });
  }

  async perDay(sinceDay: string): Promise<DayCount[]> {
    const rows = await this.db.selectFrom('token_counts').select(['day', 'count']).where('day', '>=', sinceDay).execute();
    // PostgreSQL returns bigint as a string.
    return rows.map((r) => ({ day: r.day, count: Number(r.count) }));
  }
}
