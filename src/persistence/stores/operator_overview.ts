/**
 * The console's Overview reads (domain/operator_overview.ts): sums per UTC day over a window and
 * two short top lists, each one grouped query bounded by its window or its limit.
 * @module
 */
import { sql } from 'kysely';
import type { Db } from '../database.ts';
import type { DayCodeCount, DayCount, OperatorOverviewStore, ServiceCount } from '../../domain/operator_overview.ts';
import { isoDay } from '../../domain/app_errors.ts';

const DAY = 86_400;

export class SqlOperatorOverview implements OperatorOverviewStore {
  constructor(private readonly db: Db) {}

  async signInsPerDay(since: number): Promise<DayCount[]> {
    // Integer division on both dialects (bigint / integer): the UTC day's number. The range uses audit_events_at.
    const day = sql<number>`at / ${sql.lit(DAY)}`;
    const rows = await this.db
      .selectFrom('audit_events')
      .select([day.as('day'), (eb) => eb.fn.countAll<string | number>().as('count')])
      .where('at', '>=', since)
      .where('type', '=', 'user.signed_in')
      .groupBy(day)
      .execute();
    return rows.map((r) => ({ day: isoDay(Number(r.day) * DAY), count: Number(r.count) }));
  }

  async callsPerDay(sinceDay: string): Promise<DayCount[]> {
    const rows = await this.db
      .selectFrom('grant_activity')
      .select(['day', (eb) => eb.fn.sum<string | number>('calls').as('count')])
      .where('day', '>=', sinceDay)
      .groupBy('day')
      .execute();
    return rows.map((r) => ({ day: r.day, count: Number(r.count) }));
  }

  async refusalsPerDay(sinceDay: string): Promise<DayCodeCount[]> {
    const rows = await this.db
      .selectFrom('app_error_counts')
      .select(['day', 'code', (eb) => eb.fn.sum<string | number>('count').as('count')])
      .where('day', '>=', sinceDay)
      .groupBy(['day', 'code'])
      .execute();
    return rows.map((r) => ({ day: r.day, code: r.code, count: Number(r.count) }));
  }

  async topByPeople(now: number, limit: number): Promise<ServiceCount[]> {
    const count = sql<string | number>`count(distinct g.user_id)`;
    const rows = await this.db
      .selectFrom('grants as g')
      .innerJoin('apps as a', 'a.id', 'g.app_id')
      .select(['a.id', 'a.name', count.as('count')])
      .where('g.revoked_at', 'is', null)
      .where((eb) => eb.or([eb('g.expires_at', 'is', null), eb('g.expires_at', '>', now)]))
      .groupBy(['a.id', 'a.name'])
      .orderBy(count, 'desc')
      .orderBy('a.id')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ clientId: r.id, name: r.name, count: Number(r.count) }));
  }

  async topByRefusals(day: string, limit: number): Promise<ServiceCount[]> {
    const count = sql<string | number>`sum(e.count)`;
    const rows = await this.db
      .selectFrom('app_error_counts as e')
      .innerJoin('apps as a', 'a.id', 'e.app_id')
      .select(['a.id', 'a.name', count.as('count')])
      .where('e.day', '=', day)
      .groupBy(['a.id', 'a.name'])
      .orderBy(count, 'desc')
      .orderBy('a.id')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ clientId: r.id, name: r.name, count: Number(r.count) }));
  }
}
