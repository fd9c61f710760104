import type { Db } from '../database.ts';
import type { Transaction } from 'kysely';
import type { Database } from '../schema.ts';
import type { AuditEvent, AuditStore, RecordedAuditEvent } from '../../domain/audit.ts';
import { noticeFor } from '../../domain/notices.ts';
import { insertMail } from './outbox.ts';

export class SqlAuditStore implements AuditStore {
  constructor(private readonly db: Db) {}

  async record(event: AuditEvent, now: number) {
    // An event with a notice is two rows: written together or not at all.
    if (noticeFor(event, now)) await this.db.transaction().execute((tx) => insertAuditEvent(tx, event, now));
    else await insertAuditEvent(this.db, event, now);
  }

  async listForUser(userId: string, types: readonly string[], limit: number): Promise<RecordedAuditEvent[]> {
    if (types.length === 0) return [];
    const rows = await this.db
      .selectFrom('audit_events')
      .select(['at', 'type', 'ip', 'detail'])
      .where('user_id', '=', userId)
      .where('type', 'in', [...types])
      .orderBy('at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ at: Number(r.at), type: r.type, ip: r.ip, detail: parseDetail(r.detail) }));
  }
}

/** The stored JSON detail of an event; anything but an object reads as empty. */
export function parseDetail(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/**
 * Writes one event, on its own or inside another store's transaction, with the security notice it
 * calls for (domain/notices.ts) in the same transaction: to the account's address as it stands.
 */
export async function insertAuditEvent(db: Db | Transaction<Database>, event: AuditEvent, now: number): Promise<void> {
  const notice = noticeFor(event, now);
  if (notice && event.userId) {
    const to = notice.to ?? (await db.selectFrom('users').select('email').where('id', '=', event.userId).executeTakeFirst())?.email;
    if (to !== undefined) await insertMail(db, { kind: 'notice', to, userId: event.userId, data: notice.data }, now);
  }
  await db
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
