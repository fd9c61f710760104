import type { Db } from '../database.ts';
import type { SessionsTable } from '../schema.ts';
import type { Session, SessionStore } from '../../domain/sessions.ts';

function toSession(row: SessionsTable): Session {
  return {
    id: row.id,
    userId: row.user_id,
    authTime: row.auth_time,
    amr: JSON.parse(row.amr) as string[],
    createdAt: row.created_at,
    lastSeenAt: row.last_seen_at,
    expiresAt: row.expires_at,
  };
}

export class SqlSessionStore implements SessionStore {
  constructor(private readonly db: Db) {}

  async create(s: Session & { ip: string | null; userAgent: string | null }) {
    await this.db
      .insertInto('sessions')
      .values({
        id: s.id,
        user_id: s.userId,
        auth_time: s.authTime,
        amr: JSON.stringify(s.amr),
        created_at: s.createdAt,
        last_seen_at: s.lastSeenAt,
        expires_at: s.expiresAt,
        ended_at: null,
        ip: s.ip,
        user_agent: s.userAgent,
      })
      .execute();
  }

  async findLive(id: string, now: number) {
    const row = await this.db
      .selectFrom('sessions')
      .selectAll()
      .where('id', '=', id)
      .where('ended_at', 'is', null)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    return row && toSession(row);
  }

  async touch(id: string, now: number) {
    await this.db.updateTable('sessions').set({ last_seen_at: now }).where('id', '=', id).execute();
  }

  async end(id: string, now: number) {
    await this.db.updateTable('sessions').set({ ended_at: now }).where('id', '=', id).where('ended_at', 'is', null).execute();
  }
}
