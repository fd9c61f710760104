/**
 * Suspensions of apps (issue 21), each written with its audit event in one transaction — and a
 * suspension with one mail notice to each person who has a live grant of the app, in the same
 * transaction (the outbox, domain/mail.ts). The mail rows are written by one INSERT … SELECT, not
 * one statement per person: with 10 000 people it is one statement (docs/performance.md), the
 * transaction stays short, and no background job can lose the notices after the commit.
 * @module
 */
import { sql, type Selectable, type Transaction } from 'kysely';
import type { Db } from '../database.ts';
import type { AppSuspensionsTable, Database } from '../schema.ts';
import type { AppSuspension, AppSuspensionStore } from '../../domain/app_suspensions.ts';
import type { AuditEvent } from '../../domain/audit.ts';
import { insertAuditEvent } from './audit.ts';
import { randomId } from '../../crypto/random.ts';
import type { NoticeData } from '../../domain/mail.ts';

function fromRow(row: Selectable<AppSuspensionsTable>): AppSuspension {
  return {
    appId: row.app_id,
    suspendedAt: Number(row.suspended_at),
    reason: row.reason,
    liftedAt: row.lifted_at === null ? null : Number(row.lifted_at),
    changedAt: Number(row.changed_at),
  };
}

export class SqlAppSuspensionStore implements AppSuspensionStore {
  constructor(private readonly db: Db) {}

  async suspend(appId: string, reason: string, now: number, event: AuditEvent): Promise<AppSuspension | undefined> {
    return this.db.transaction().execute(async (tx) => {
      const app = await tx.selectFrom('apps').select(['id', 'name']).where('id', '=', appId).executeTakeFirst();
      if (!app) return undefined;
      const before = await tx.selectFrom('app_suspensions').select('lifted_at').where('app_id', '=', appId).executeTakeFirst();
      const row = await tx
        .insertInto('app_suspensions')
        .values({ app_id: appId, suspended_at: now, reason, lifted_at: null, changed_at: now })
        .onConflict((oc) => oc.column('app_id').doUpdateSet({ suspended_at: now, reason, lifted_at: null, changed_at: now }))
        .returningAll()
        .executeTakeFirstOrThrow();
      await insertAuditEvent(tx, event, now);
      // Told once per suspension: suspending an app already suspended (a new reason) mails no one again.
      if (!before || before.lifted_at !== null) await this.notifyPeople(tx, app, now);
      return fromRow(row);
    });
  }

  /** One notice per person (not disabled) with a live grant of the app; ids unique to this suspension. */
  private async notifyPeople(tx: Transaction<Database>, app: { id: string; name: string }, now: number): Promise<void> {
    const data: NoticeData = { event: 'app.suspended', at: now, ip: null, browser: null, detail: { app: app.name } };
    const prefix = `${randomId()}_`;
    await tx
      .insertInto('mail_outbox')
      .columns(['id', 'kind', 'to_address', 'user_id', 'data', 'status', 'attempts', 'next_attempt_at', 'created_at'])
      .expression(
        tx
          .selectFrom('grants')
          .innerJoin('users', 'users.id', 'grants.user_id')
          .where('grants.app_id', '=', app.id)
          .where('grants.revoked_at', 'is', null)
          .where((eb) => eb.or([eb('grants.expires_at', 'is', null), eb('grants.expires_at', '>', now)]))
          .where('users.disabled_at', 'is', null)
          .groupBy(['users.id', 'users.email'])
          .select([
            sql<string>`${prefix} || users.id`.as('id'),
            sql<string>`'notice'`.as('kind'),
            'users.email as to_address',
            'users.id as user_id',
            sql<string>`${JSON.stringify(data)}`.as('data'),
            sql<'pending'>`'pending'`.as('status'),
            sql<number>`0`.as('attempts'),
            sql<number>`cast(${now} as bigint)`.as('next_attempt_at'),
            sql<number>`cast(${now} as bigint)`.as('created_at'),
          ]),
      )
      .execute();
  }

  async lift(appId: string, now: number, event: AuditEvent): Promise<AppSuspension | undefined> {
    return this.db.transaction().execute(async (tx) => {
      const row = await tx
        .updateTable('app_suspensions')
        .set({ lifted_at: now, changed_at: now })
        .where('app_id', '=', appId)
        .where('lifted_at', 'is', null)
        .returningAll()
        .executeTakeFirst();
      if (!row) return undefined;
      await insertAuditEvent(tx, event, now);
      return fromRow(row);
    });
  }

  async find(appId: string): Promise<AppSuspension | undefined> {
    const row = await this.db.selectFrom('app_suspensions').selectAll().where('app_id', '=', appId).executeTakeFirst();
    return row ? fromRow(row) : undefined;
  }

  async listChangedSince(since: number): Promise<AppSuspension[]> {
    const rows = await this.db.selectFrom('app_suspensions').selectAll().where('changed_at', '>=', since).execute();
    return rows.map(fromRow);
  }
}
