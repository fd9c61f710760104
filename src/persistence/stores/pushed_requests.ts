/** Pushed authorization requests (RFC 9126, issue 18): taken once, by their client, while live. */
import type { Db } from '../database.ts';
import type { PushedParams, PushedRequest, PushedRequestStore } from '../../domain/pushed_requests.ts';

export class SqlPushedRequestStore implements PushedRequestStore {
  constructor(private readonly db: Db) {}

  async create(r: PushedRequest) {
    await this.db
      .insertInto('pushed_requests')
      .values({ id: r.id, app_id: r.appId, params: JSON.stringify(r.params), created_at: r.createdAt, expires_at: r.expiresAt, used_at: null })
      .execute();
  }

  async take(id: string, appId: string, now: number) {
    // One UPDATE … RETURNING: the row lock (PostgreSQL) or the single writer (SQLite) lets exactly
    // one concurrent taker match `used_at IS NULL`; another client's request is not even marked.
    const row = await this.db
      .updateTable('pushed_requests')
      .set({ used_at: now })
      .where('id', '=', id)
      .where('app_id', '=', appId)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .returning('params')
      .executeTakeFirst();
    return row && (JSON.parse(row.params) as PushedParams);
  }
}
