/**
 * The mail outbox (domain/mail.ts). `insertMail` writes a message inside another store's
 * transaction, so it commits or vanishes with the change that causes it.
 *
 * Taking messages to send, and recording how each went, are the statements of every leased queue
 * (stores/leases.ts: one UPDATE … RETURNING, `FOR UPDATE SKIP LOCKED` on PostgreSQL; a lease, not a
 * lock, marks a message as taken, and a sender that dies leaves it due again when the lease ends).
 * @module
 */
import type { Transaction } from 'kysely';
import type { Db } from '../database.ts';
import type { Database, MailOutboxTable } from '../schema.ts';
import type { MailIntent, MailKind, MailStatus, OutboxBacklog, OutboxMessage, OutboxStore } from '../../domain/mail.ts';
import { randomId } from '../../crypto/random.ts';
import { claimLeased, failedAttempt, releaseLeased, settleLeased } from './leases.ts';

/** Writes one message, on its own or inside another store's transaction; its id. */
export async function insertMail(db: Db | Transaction<Database>, mail: MailIntent, now: number): Promise<string> {
  const id = randomId();
  await db
    .insertInto('mail_outbox')
    .values({
      id,
      kind: mail.kind,
      to_address: mail.to,
      user_id: mail.userId,
      data: JSON.stringify(mail.data),
      status: 'pending',
      attempts: 0,
      next_attempt_at: now,
      lease_owner: null,
      lease_until: null,
      last_error: null,
      created_at: now,
      sent_at: null,
    })
    .execute();
  return id;
}

function toMessage(row: MailOutboxTable): OutboxMessage {
  return {
    id: row.id,
    kind: row.kind,
    to: row.to_address,
    userId: row.user_id,
    data: JSON.parse(row.data),
    status: row.status,
    attempts: Number(row.attempts),
    nextAttemptAt: Number(row.next_attempt_at),
    lastError: row.last_error,
    createdAt: Number(row.created_at),
    sentAt: row.sent_at === null ? null : Number(row.sent_at),
  } as OutboxMessage;
}

export class SqlOutboxStore implements OutboxStore {
  constructor(
    private readonly db: Db,
    private readonly dialect: 'sqlite' | 'postgres',
  ) {}

  enqueue(mail: MailIntent, now: number) {
    return insertMail(this.db, mail, now);
  }

  async claim(owner: string, now: number, leaseSeconds: number, limit: number) {
    return (await claimLeased(this.db, this.dialect, 'mail_outbox', owner, now, leaseSeconds, limit)).map(toMessage);
  }

  async markSent(id: string, owner: string, now: number) {
    await settleLeased(this.db, 'mail_outbox', id, owner, { status: 'sent', sent_at: now, last_error: null });
  }

  async markFailed(id: string, owner: string, error: string, retryAt: number | null) {
    await settleLeased(this.db, 'mail_outbox', id, owner, failedAttempt(error, retryAt));
  }

  release(ids: readonly string[], owner: string) {
    return releaseLeased(this.db, 'mail_outbox', ids, owner);
  }

  async list(filter: { status?: MailStatus; limit: number }) {
    let query = this.db.selectFrom('mail_outbox').selectAll().orderBy('created_at', 'desc').orderBy('id').limit(filter.limit);
    if (filter.status) query = query.where('status', '=', filter.status);
    return (await query.execute()).map(toMessage);
  }

  async find(id: string) {
    const row = await this.db.selectFrom('mail_outbox').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toMessage(row);
  }

  async retry(ids: readonly string[] | 'failed', now: number) {
    if (ids !== 'failed' && ids.length === 0) return 0;
    let query = this.db.updateTable('mail_outbox').set({ status: 'pending', attempts: 0, next_attempt_at: now, lease_owner: null, lease_until: null }).where('status', '=', 'failed');
    if (ids !== 'failed') query = query.where('id', 'in', [...ids]);
    const result = await query.executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async backlog(): Promise<OutboxBacklog> {
    // One grouped read over the (status, next_attempt_at) index: pending and failed mail are few.
    const rows = await this.db
      .selectFrom('mail_outbox')
      .select((eb) => ['status', eb.fn.countAll<number>().as('n'), eb.fn.min<number>('created_at').as('oldest')])
      .where('status', 'in', ['pending', 'failed'])
      .groupBy('status')
      .execute();
    const pending = rows.find((r) => r.status === 'pending');
    const failed = rows.find((r) => r.status === 'failed');
    return { pending: Number(pending?.n ?? 0), failed: Number(failed?.n ?? 0), oldestPendingAt: pending ? Number(pending.oldest) : null };
  }

  async countRecent(to: string, kinds: readonly MailKind[], since: number) {
    if (kinds.length === 0) return 0;
    const row = await this.db
      .selectFrom('mail_outbox')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('to_address', '=', to)
      .where('created_at', '>=', since)
      .where('kind', 'in', [...kinds])
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }
}
