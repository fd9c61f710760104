/**
 * The statements of every leased queue (stores/outbox.ts for mail, stores/outbound_deliveries.ts
 * for back-channel logout), written once; jobs/leased_sender.ts is the loop that runs them.
 *
 * Taking items is one UPDATE … RETURNING over the due rows: on PostgreSQL the rows are picked with
 * `FOR UPDATE SKIP LOCKED`, so senders on several nodes each take different items without waiting
 * on each other; SQLite has one writer at a time, so the same statement is atomic there as it
 * stands. A lease, not a lock, marks an item as taken: a sender that dies leaves it due again when
 * the lease ends. Only the lease holder's outcome is recorded.
 * @module
 */
import type { Kysely, Transaction, Updateable } from 'kysely';
import type { Db } from '../database.ts';
import type { Database } from '../schema.ts';

export type LeasedTable = 'mail_outbox' | 'outbound_deliveries';

/** What every leased table has; the statements below see the tables through these columns only. */
interface LeaseColumns {
  id: string;
  status: string;
  attempts: number;
  next_attempt_at: number;
  lease_owner: string | null;
  lease_until: number | null;
  last_error: string | null;
}
/** Either table under one name, so each statement type-checks once for both (the SQL names the real table). */
type LeaseDb = Kysely<{ leased: LeaseColumns }>;

function asLeaseDb(db: Db | Transaction<Database>): LeaseDb {
  return db as unknown as LeaseDb;
}

function leased(table: LeasedTable): 'leased' {
  return table as unknown as 'leased';
}

/** Ids of items due at `now` and taken by no live lease. */
function dueIds(db: LeaseDb, table: LeasedTable, now: number) {
  return db
    .selectFrom(leased(table))
    .select('id')
    .where('status', '=', 'pending')
    .where('next_attempt_at', '<=', now)
    .where((w) => w.or([w('lease_until', 'is', null), w('lease_until', '<', now)]));
}

/** Takes up to `limit` due rows of `table` for `owner` until `now + leaseSeconds`, counting an attempt on each. */
export async function claimLeased<T extends LeasedTable>(db: Db, dialect: 'sqlite' | 'postgres', table: T, owner: string, now: number, leaseSeconds: number, limit: number): Promise<Database[T][]> {
  const q = asLeaseDb(db);
  // Every node polls about once a second and there is rarely work: look with a read first, so an
  // idle poll never takes SQLite's write lock from a request.
  if (!(await dueIds(q, table, now).limit(1).executeTakeFirst())) return [];
  const rows = await q
    .updateTable(leased(table))
    .set((eb) => ({ lease_owner: owner, lease_until: now + leaseSeconds, attempts: eb('attempts', '+', 1) }))
    .where('id', 'in', () => {
      const due = dueIds(q, table, now).orderBy('next_attempt_at').limit(limit);
      return dialect === 'postgres' ? due.forUpdate().skipLocked() : due;
    })
    .returningAll()
    .execute();
  return rows as unknown as Database[T][];
}

/**
 * Ends `owner`'s lease on `id` with `changes` (the outcome); false when `owner` no longer held it,
 * and then nothing changed: a sender whose lease ran out records nothing.
 */
export async function settleLeased<T extends LeasedTable>(db: Db | Transaction<Database>, table: T, id: string, owner: string, changes: Updateable<Database[T]>): Promise<boolean> {
  const done = await asLeaseDb(db)
    .updateTable(leased(table))
    .set({ ...(changes as Updateable<LeaseColumns>), lease_owner: null, lease_until: null })
    .where('id', '=', id)
    .where('lease_owner', '=', owner)
    .executeTakeFirst();
  return Number(done.numUpdatedRows) === 1;
}

/** The outcome of a failed attempt: pending again at `retryAt`, or `failed` for good when it is null. */
export function failedAttempt(error: string, retryAt: number | null): { status: 'pending' | 'failed'; next_attempt_at?: number; last_error: string } {
  return { status: retryAt === null ? 'failed' : 'pending', ...(retryAt === null ? {} : { next_attempt_at: retryAt }), last_error: error.slice(0, 500) };
}

/** Gives back items taken but never tried (the sender is stopping): due again, the attempt uncounted. */
export async function releaseLeased(db: Db, table: LeasedTable, ids: readonly string[], owner: string): Promise<void> {
  if (ids.length === 0) return;
  await asLeaseDb(db)
    .updateTable(leased(table))
    .set((eb) => ({ lease_owner: null, lease_until: null, attempts: eb('attempts', '-', 1) }))
    .where('id', 'in', [...ids])
    .where('lease_owner', '=', owner)
    .execute();
}
