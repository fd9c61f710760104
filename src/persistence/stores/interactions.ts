import type { Db } from '../database.ts';
import type { AuthorizationRequest, Interaction, InteractionStore } from '../../domain/interactions.ts';

export class SqlInteractionStore implements InteractionStore {
  constructor(private readonly db: Db) {}

  async create(i: Interaction) {
    await this.db
      .insertInto('interactions')
      .values({
        id: i.id,
        app_id: i.appId,
        params: JSON.stringify(i.request),
        session_id: i.sessionId,
        created_at: i.createdAt,
        expires_at: i.expiresAt,
        consumed_at: i.consumedAt,
        warned_at: i.warnedAt ?? null,
      })
      .execute();
  }

  async find(id: string): Promise<Interaction | undefined> {
    const row = await this.db.selectFrom('interactions').selectAll().where('id', '=', id).executeTakeFirst();
    return (
      row && {
        id: row.id,
        appId: row.app_id,
        request: JSON.parse(row.params) as AuthorizationRequest,
        sessionId: row.session_id,
        createdAt: row.created_at,
        expiresAt: row.expires_at,
        consumedAt: row.consumed_at,
        warnedAt: row.warned_at,
      }
    );
  }

  async bindSession(id: string, sessionId: string) {
    await this.db.updateTable('interactions').set({ session_id: sessionId }).where('id', '=', id).execute();
  }

  async passWarning(id: string, now: number) {
    await this.db.updateTable('interactions').set({ warned_at: now }).where('id', '=', id).where('consumed_at', 'is', null).execute();
  }

  async consume(id: string, now: number) {
    const result = await this.db
      .updateTable('interactions')
      .set({ consumed_at: now })
      .where('id', '=', id)
      .where('consumed_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }
}
