import type { Db } from '../database.ts';
import type { AuditEvent, AuditStore } from '../../domain/audit.ts';

export class SqlAuditStore implements AuditStore {
  constructor(private readonly db: Db) {}

  async record(event: AuditEvent, now: number) {
    await this.db
      .insertInto('audit_events')
      .values({
        at: now,
        type: event.type,
        user_id: event.userId ?? null,
        app_id: event.appId ?? null,
        ip: event.ip ?? null,
        detail: JSON.stringify(event.detail ?? {}),
      })
      .execute();
  }
}
