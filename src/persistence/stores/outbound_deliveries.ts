/**
 * Outbound deliveries (domain/outbound_deliveries.ts). `insertLogoutDeliveries` writes the logout
 * tokens of ending sessions inside the transaction that ends them (stores/session_endings.ts), so
 * they commit or vanish with the sign-out.
 *
 * Taking deliveries and recording outcomes are the statements of every leased queue
 * (stores/leases.ts, shared with the mail outbox): one UPDATE … RETURNING over the due rows,
 * `FOR UPDATE SKIP LOCKED` on PostgreSQL so several nodes take different rows; a lease, not a
 * lock, marks a row as taken, and a row whose sender died is due again when it ends. A row past
 * its `give_up_at` is still taken: the sender marks it failed, with its audit event, without sending.
 * @module
 */
import type { Transaction } from 'kysely';
import type { Db } from '../database.ts';
import type { Database, OutboundDeliveriesTable } from '../schema.ts';
import type { AuditEvent } from '../../domain/audit.ts';
import { DELIVERY_WINDOW_SECONDS, type DeliveryStatus, type KindAndPayload, type OutboundDelivery, type OutboundDeliveryStore } from '../../domain/outbound_deliveries.ts';
import { randomId } from '../../crypto/random.ts';
import { insertAuditEvent } from './audit.ts';
import { claimLeased, failedAttempt, releaseLeased, settleLeased } from './leases.ts';

type Tx = Db | Transaction<Database>;

/**
 * For every app named in `sessionIds` (session_apps) that has a back-channel logout URI, one
 * pending logout delivery (Back-Channel Logout §2.5); the number written.
 */
export async function insertLogoutDeliveries(db: Tx, sessionIds: readonly string[], now: number): Promise<number> {
  if (sessionIds.length === 0) return 0;
  const targets = await db
    .selectFrom('session_apps as s')
    .innerJoin('apps as a', 'a.id', 's.app_id')
    .select(['s.app_id', 's.user_id', 's.sid', 'a.backchannel_logout_uri'])
    .where('s.session_id', 'in', [...sessionIds])
    .where('a.backchannel_logout_uri', 'is not', null)
    .execute();
  await insertDeliveries(
    db,
    targets.map((t) => ({ kind: 'backchannel_logout', appId: t.app_id, userId: t.user_id, url: t.backchannel_logout_uri!, payload: { aud: t.app_id, sub: t.user_id, sid: t.sid } })),
    now,
  );
  return targets.length;
}

/** One delivery to write: everything but its bookkeeping. */
export type NewDelivery = KindAndPayload & { appId: string; userId: string | null; url: string };

const INSERT_BATCH = 500;

/** Writes pending deliveries, due now, in the caller's transaction. */
export async function insertDeliveries(db: Tx, deliveries: readonly NewDelivery[], now: number): Promise<void> {
  // One statement per 500 deliveries rather than one per delivery (a directory removed may end
  // thousands of sessions; 500 rows of 16 values stay under either database's parameter limit).
  for (let i = 0; i < deliveries.length; i += INSERT_BATCH) {
    await db
      .insertInto('outbound_deliveries')
      .values(
        deliveries.slice(i, i + INSERT_BATCH).map((d) => ({
          id: randomId(),
          kind: d.kind,
          app_id: d.appId,
          user_id: d.userId,
          url: d.url,
          payload: JSON.stringify(d.payload),
          status: 'pending' as const,
          attempts: 0,
          next_attempt_at: now,
          lease_owner: null,
          lease_until: null,
          last_error: null,
          last_status: null,
          created_at: now,
          give_up_at: now + DELIVERY_WINDOW_SECONDS,
          sent_at: null,
        })),
      )
      .execute();
  }
}

function toDelivery(row: OutboundDeliveriesTable): OutboundDelivery {
  // The row's kind was written with its payload (insertDeliveries), so they agree.
  const kindAndPayload = { kind: row.kind, payload: JSON.parse(row.payload) } as KindAndPayload;
  return {
    id: row.id,
    ...kindAndPayload,
    appId: row.app_id,
    userId: row.user_id,
    url: row.url,
    status: row.status,
    attempts: Number(row.attempts),
    nextAttemptAt: Number(row.next_attempt_at),
    lastError: row.last_error,
    lastStatus: row.last_status === null ? null : Number(row.last_status),
    createdAt: Number(row.created_at),
    giveUpAt: Number(row.give_up_at),
    sentAt: row.sent_at === null ? null : Number(row.sent_at),
  };
}

export class SqlOutboundDeliveryStore implements OutboundDeliveryStore {
  constructor(
    private readonly db: Db,
    private readonly dialect: 'sqlite' | 'postgres',
  ) {}

  async claim(owner: string, now: number, leaseSeconds: number, limit: number) {
    return (await claimLeased(this.db, this.dialect, 'outbound_deliveries', owner, now, leaseSeconds, limit)).map(toDelivery);
  }

  async markDelivered(id: string, owner: string, status: number, now: number, event: AuditEvent) {
    await this.db.transaction().execute(async (tx) => {
      const held = await settleLeased(tx, 'outbound_deliveries', id, owner, { status: 'delivered', sent_at: now, last_status: status, last_error: null });
      if (held) await insertAuditEvent(tx, event, now);
    });
  }

  async markFailed(id: string, owner: string, failure: { error: string; status: number | null }, retryAt: number | null, now: number, event: AuditEvent) {
    await this.db.transaction().execute(async (tx) => {
      const held = await settleLeased(tx, 'outbound_deliveries', id, owner, { ...failedAttempt(failure.error, retryAt), last_status: failure.status });
      if (retryAt === null && held) await insertAuditEvent(tx, event, now);
    });
  }

  release(ids: readonly string[], owner: string) {
    return releaseLeased(this.db, 'outbound_deliveries', ids, owner);
  }

  async list(filter: { status?: DeliveryStatus; appId?: string; limit: number }) {
    let query = this.db.selectFrom('outbound_deliveries').selectAll().orderBy('created_at', 'desc').orderBy('id').limit(filter.limit);
    if (filter.status) query = query.where('status', '=', filter.status);
    if (filter.appId) query = query.where('app_id', '=', filter.appId);
    return (await query.execute()).map(toDelivery);
  }
}
