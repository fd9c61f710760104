import type { Db } from '../database.ts';
import { PreparedQuery } from '../prepared.ts';
import { prefixed, qualified, SESSION_COLUMNS, unprefixed, USER_COLUMNS } from '../columns.ts';
import type { SessionsTable, UsersTable } from '../schema.ts';
import type { FactorFailures, PendingSignIn, Session, SessionStore, SessionSummary } from '../../domain/sessions.ts';
import type { AuditEvent } from '../../domain/audit.ts';
import { insertAuditEvent } from './audit.ts';
import { toUser } from './users.ts';
import { endSessions } from './session_endings.ts';
import { isNewBrowser, type BrowserSeen } from '../../domain/known_browsers.ts';
import type { Transaction } from 'kysely';
import type { Database } from '../schema.ts';

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

/**
 * What the account's known browsers say of this one, then this one recorded as seen now; inside
 * the session's transaction. Two first sign-ins racing from two browsers may both find none known
 * (neither is "new"); the primary key keeps one row per (account, browser) whatever the race.
 */
async function rememberBrowser(tx: Transaction<Database>, userId: string, browser: string, now: number): Promise<BrowserSeen> {
  const known = await tx.selectFrom('known_browsers').select('browser_digest').where('user_id', '=', userId).where('browser_digest', '=', browser).executeTakeFirst();
  const other = known ? undefined : await tx.selectFrom('known_browsers').select('browser_digest').where('user_id', '=', userId).limit(1).executeTakeFirst();
  await tx
    .insertInto('known_browsers')
    .values({ user_id: userId, browser_digest: browser, first_seen_at: now, last_seen_at: now })
    .onConflict((oc) => oc.columns(['user_id', 'browser_digest']).doUpdateSet({ last_seen_at: now }))
    .execute();
  return { thisOne: known !== undefined, others: other !== undefined };
}

/** Read on every signed-in page and authorization request: compiled once (persistence/prepared.ts). */
function sessionQueries(db: Db) {
  return {
    // With its person in the same statement: one round trip fewer on every signed-in request.
    liveWithUser: new PreparedQuery(db, (v: { id: string; now: number }) =>
      db
        .selectFrom('sessions as s')
        .leftJoin('users as u', 'u.id', 's.user_id')
        .select(qualified('s', SESSION_COLUMNS))
        .select(prefixed('u', 'person_', USER_COLUMNS))
        .where('s.id', '=', v.id)
        .where('s.ended_at', 'is', null)
        .where('s.expires_at', '>', v.now),
    ),
  };
}

export class SqlSessionStore implements SessionStore {
  private readonly q: ReturnType<typeof sessionQueries>;

  constructor(private readonly db: Db) {
    this.q = sessionQueries(db);
  }

  async create(s: Session & { ip: string | null; userAgent: string | null }, event?: AuditEvent, browser?: string) {
    await this.db.transaction().execute(async (tx) => {
      if (browser !== undefined) {
        const seen = await rememberBrowser(tx, s.userId, browser, s.createdAt);
        if (event && isNewBrowser(seen)) event = { ...event, detail: { ...event.detail, new_browser: true } };
      }
      await tx
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
      if (event) await insertAuditEvent(tx, event, s.createdAt);
    });
  }

  async findLive(id: string, now: number) {
    return (await this.findLiveWithUser(id, now))?.session;
  }

  async findLiveWithUser(id: string, now: number) {
    const row = await this.q.liveWithUser.first(this.db, { id, now });
    if (!row) return undefined;
    return { session: toSession(row), user: row.person_id === null ? undefined : toUser(unprefixed<UsersTable>(row, 'person_', USER_COLUMNS)) };
  }

  async touch(id: string, now: number) {
    await this.db.updateTable('sessions').set({ last_seen_at: now }).where('id', '=', id).execute();
  }

  async end(id: string, now: number) {
    await this.db.transaction().execute((tx) => endSessions(tx, { id }, now));
  }

  async listLive(userId: string, now: number): Promise<SessionSummary[]> {
    const rows = await this.db
      .selectFrom('sessions')
      .selectAll()
      .where('user_id', '=', userId)
      .where('ended_at', 'is', null)
      .where('expires_at', '>', now)
      .orderBy('last_seen_at', 'desc')
      .limit(100)
      .execute();
    return rows.map((row) => ({ ...toSession(row), ip: row.ip, userAgent: row.user_agent }));
  }

  async endOwn(userId: string, id: string, now: number): Promise<boolean> {
    return (await this.db.transaction().execute((tx) => endSessions(tx, { id, userId }, now))) > 0;
  }

  async endAllOf(userId: string, now: number, event: (ended: number) => AuditEvent): Promise<number> {
    return this.db.transaction().execute(async (tx) => {
      const ended = await endSessions(tx, { userId }, now);
      await insertAuditEvent(tx, event(ended), now);
      return ended;
    });
  }

  async createPending(p: PendingSignIn) {
    await this.db
      .insertInto('pending_sign_ins')
      .values({ id: p.id, user_id: p.userId, interaction_id: p.interactionId, return_to: p.returnTo, attempts: p.attempts, created_at: p.createdAt, expires_at: p.expiresAt, consumed_at: null })
      .execute();
  }

  async findPending(id: string, now: number): Promise<PendingSignIn | undefined> {
    const row = await this.db
      .selectFrom('pending_sign_ins')
      .selectAll()
      .where('id', '=', id)
      .where('consumed_at', 'is', null)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    return (
      row && {
        id: row.id,
        userId: row.user_id,
        interactionId: row.interaction_id,
        returnTo: row.return_to ?? null,
        attempts: Number(row.attempts),
        createdAt: Number(row.created_at),
        expiresAt: Number(row.expires_at),
      }
    );
  }

  async countPendingAttempt(id: string) {
    await this.db.updateTable('pending_sign_ins').set((eb) => ({ attempts: eb('attempts', '+', 1) })).where('id', '=', id).execute();
    const row = await this.db.selectFrom('pending_sign_ins').select('attempts').where('id', '=', id).executeTakeFirst();
    return Number(row?.attempts ?? 0);
  }

  async consumePending(id: string, now: number) {
    const result = await this.db.updateTable('pending_sign_ins').set({ consumed_at: now }).where('id', '=', id).where('consumed_at', 'is', null).executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async countFactorFailures(userId: string, now: number, windowSeconds: number): Promise<FactorFailures> {
    const row = await this.db.selectFrom('second_factor_failures').select(['failures', 'window_started_at']).where('user_id', '=', userId).executeTakeFirst();
    const live = row !== undefined && Number(row.window_started_at) > now - windowSeconds;
    return live ? { failures: Number(row.failures), windowStartedAt: Number(row.window_started_at) } : { failures: 0, windowStartedAt: now };
  }

  async recordFactorFailure(userId: string, now: number, windowSeconds: number): Promise<FactorFailures> {
    // One statement, so parallel wrong codes on several nodes each count (no read-then-write race).
    const row = await this.db
      .insertInto('second_factor_failures')
      .values({ user_id: userId, failures: 1, window_started_at: now })
      .onConflict((oc) =>
        oc.column('user_id').doUpdateSet((eb) => {
          const expired = eb('second_factor_failures.window_started_at', '<=', now - windowSeconds);
          return {
            failures: eb.case().when(expired).then(1).else(eb('second_factor_failures.failures', '+', 1)).end(),
            window_started_at: eb.case().when(expired).then(now).else(eb.ref('second_factor_failures.window_started_at')).end(),
          };
        }),
      )
      .returning(['failures', 'window_started_at'])
      .executeTakeFirstOrThrow();
    return { failures: Number(row.failures), windowStartedAt: Number(row.window_started_at) };
  }

  async clearFactorFailures(userId: string) {
    await this.db.deleteFrom('second_factor_failures').where('user_id', '=', userId).execute();
  }
}
