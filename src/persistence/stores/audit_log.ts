import { PostgresAdapter, sql, type RawBuilder } from 'kysely';
import type { Db } from '../database.ts';
import type { AuditLog, AuditLogEntry, AuditQuery } from '../../domain/audit_log.ts';
import { parseDetail } from './audit.ts';

export class SqlAuditLog implements AuditLog {
  private readonly postgres: boolean;

  constructor(private readonly db: Db) {
    this.postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  }

  /** One top-level field of the JSON detail (always written by JSON.stringify of an object, store audit.ts). */
  private detailField(field: 'via' | 'actor'): RawBuilder<string | null> {
    // A literal, not a parameter: PostgreSQL cannot tell `->>` of a text from `->>` of an index otherwise.
    return this.postgres ? sql<string | null>`(audit_events.detail::json ->> ${sql.lit(field)})` : sql<string | null>`json_extract(audit_events.detail, ${sql.lit(`$.${field}`)})`;
  }

  async list(query: AuditQuery): Promise<AuditLogEntry[]> {
    let select = this.db
      .selectFrom('audit_events')
      .leftJoin('users', 'users.id', 'audit_events.user_id')
      .select(['audit_events.id', 'audit_events.at', 'audit_events.type', 'audit_events.user_id', 'users.email', 'audit_events.app_id', 'audit_events.ip', 'audit_events.detail']);
    if (query.userId !== undefined) select = select.where('audit_events.user_id', '=', query.userId);
    if (query.appId !== undefined) select = select.where('audit_events.app_id', '=', query.appId);
    if (query.type !== undefined) {
      const type = query.type;
      select = type.endsWith('.')
        ? // substr, not LIKE: a prefix is matched literally, with no wildcard to escape on either dialect.
          select.where(sql<string>`substr(audit_events.type, 1, ${sql.lit(type.length)})`, '=', type)
        : select.where('audit_events.type', '=', type);
    }
    if (query.since !== undefined) select = select.where('audit_events.at', '>=', query.since);
    if (query.until !== undefined) select = select.where('audit_events.at', '<=', query.until);
    if (query.actor !== undefined) {
      const actor = query.actor;
      select = 'operatorId' in actor ? select.where(this.detailField('actor'), '=', actor.operatorId) : select.where(this.detailField('via'), '=', actor.via);
    }
    if (query.after !== undefined) {
      // Strictly after the last row shown in (at desc, id desc): a row value, which both dialects
      // compare left to right and read as a range of the (…, at) indexes.
      select = select.where(sql<boolean>`(audit_events.at, audit_events.id) < (${query.after.at}, ${query.after.id})`);
    }
    const rows = await select.orderBy('audit_events.at', 'desc').orderBy('audit_events.id', 'desc').limit(query.limit).execute();
    return rows.map((r) => ({
      id: Number(r.id),
      at: Number(r.at),
      type: r.type,
      userId: r.user_id,
      userEmail: r.email ?? null,
      appId: r.app_id,
      ip: r.ip,
      detail: parseDetail(r.detail),
    }));
  }
}
