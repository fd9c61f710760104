/** Passkeys and the challenges of their ceremonies (domain/passkeys.ts; migration 202612071140). */
import { PostgresAdapter, type Transaction } from 'kysely';
import type { Db } from '../database.ts';
import type { Database, PasskeyChallengesTable, PasskeysTable } from '../schema.ts';
import type { AuditEvent } from '../../domain/audit.ts';
import type { ChallengeData, ChallengePurpose, Passkey, PasskeyChallenge, PasskeyStore, RemovePasskey } from '../../domain/passkeys.ts';
import { insertAuditEvent } from './audit.ts';
import { isUniqueViolation } from './errors.ts';

const PASSKEY_COLUMNS = [
  'id',
  'user_id',
  'user_handle',
  'public_key',
  'counter',
  'transports',
  'backup_eligible',
  'backed_up',
  'name',
  'aaguid',
  'created_at',
  'last_used_at',
] as const satisfies readonly (keyof PasskeysTable)[];

const CHALLENGE_COLUMNS = ['id', 'purpose', 'user_id', 'pending_id', 'data', 'created_at', 'expires_at'] as const satisfies readonly (keyof PasskeyChallengesTable)[];

/**
 * Expired challenges deleted at most per new one: enough to keep up, never a long statement. The
 * janitor (jobs/janitor.ts, `passkey_challenges`) deletes the rest, so a quiet node's table shrinks too.
 */
const EXPIRED_BATCH = 50;

function toPasskey(row: PasskeysTable): Passkey {
  return {
    id: row.id,
    userId: row.user_id,
    userHandle: row.user_handle,
    publicKey: row.public_key,
    counter: Number(row.counter),
    transports: stringList(row.transports),
    backupEligible: Number(row.backup_eligible) === 1,
    backedUp: Number(row.backed_up) === 1,
    name: row.name,
    aaguid: row.aaguid,
    createdAt: Number(row.created_at),
    lastUsedAt: row.last_used_at === null ? null : Number(row.last_used_at),
  };
}

function stringList(text: string): string[] {
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  } catch {
    return [];
  }
}

/** Only the fields a ceremony stores, read by name: the stored JSON never becomes an object's keys. */
function challengeData(text: string | null): ChallengeData {
  if (text === null) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return {};
  }
  if (value === null || typeof value !== 'object') return {};
  const field = (name: keyof ChallengeData) => {
    const v = Object.hasOwn(value, name) ? (value as Record<string, unknown>)[name] : undefined;
    return typeof v === 'string' ? { [name]: v } : {};
  };
  return { ...field('userHandle'), ...field('name'), ...field('email'), ...field('linkId') };
}

/** Writes a passkey row, on its own or inside another store's transaction (a new account's: users.create). */
export async function insertPasskey(db: Db | Transaction<Database>, p: Passkey): Promise<void> {
  await db
    .insertInto('passkeys')
    .values({
      id: p.id,
      user_id: p.userId,
      user_handle: p.userHandle,
      public_key: p.publicKey,
      counter: p.counter,
      transports: JSON.stringify(p.transports),
      backup_eligible: p.backupEligible ? 1 : 0,
      backed_up: p.backedUp ? 1 : 0,
      name: p.name,
      aaguid: p.aaguid,
      created_at: p.createdAt,
      last_used_at: p.lastUsedAt,
    })
    .execute();
}

/** Thrown inside `remove`'s transaction to undo it: the account would be left with no way in. */
class LastWayIn extends Error {}

export class SqlPasskeyStore implements PasskeyStore {
  private readonly postgres: boolean;

  constructor(private readonly db: Db) {
    this.postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  }

  async listForUser(userId: string) {
    const rows = await this.db.selectFrom('passkeys').select(PASSKEY_COLUMNS).where('user_id', '=', userId).orderBy('created_at').orderBy('id').limit(100).execute();
    return rows.map(toPasskey);
  }

  async find(id: string) {
    const row = await this.db.selectFrom('passkeys').select(PASSKEY_COLUMNS).where('id', '=', id).executeTakeFirst();
    return row && toPasskey(row);
  }

  async countForUser(userId: string) {
    const row = await this.db.selectFrom('passkeys').select((eb) => eb.fn.countAll<number>().as('n')).where('user_id', '=', userId).executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  async add(p: Passkey, event: AuditEvent): Promise<'added' | 'taken'> {
    try {
      await this.db.transaction().execute(async (tx) => {
        await insertPasskey(tx, p);
        await insertAuditEvent(tx, event, p.createdAt);
      });
    } catch (err) {
      if (isUniqueViolation(err)) return 'taken';
      throw err;
    }
    return 'added';
  }

  async recordUse(id: string, counter: number, backedUp: boolean, now: number) {
    // WebAuthn §6.1.1: a counter of 0 means the authenticator keeps none; otherwise it must grow.
    const result = await this.db
      .updateTable('passkeys')
      .set({ counter, backed_up: backedUp ? 1 : 0, last_used_at: now })
      .where('id', '=', id)
      .where('counter', counter === 0 ? '=' : '<', counter)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async rename(userId: string, id: string, name: string) {
    const result = await this.db.updateTable('passkeys').set({ name }).where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async remove(userId: string, id: string, event: AuditEvent, now: number): Promise<RemovePasskey> {
    try {
      return await this.db.transaction().execute(async (tx) => {
        const deleted = await tx.deleteFrom('passkeys').where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
        if (Number(deleted.numDeletedRows) !== 1) return 'unknown';
        // After the delete, with the account's row locked on PostgreSQL: of two removals at once,
        // the second counts after the first committed (READ COMMITTED reads anew per statement),
        // so both cannot leave a passwordless account empty. SQLite has one writer at a time.
        const user = await tx.selectFrom('users').select('password_hash').where('id', '=', userId).$if(this.postgres, (q) => q.forUpdate()).executeTakeFirst();
        if (user?.password_hash === null) {
          const left = await tx.selectFrom('passkeys').select((eb) => eb.fn.countAll<number>().as('n')).where('user_id', '=', userId).executeTakeFirst();
          if (Number(left?.n ?? 0) === 0) throw new LastWayIn();
        }
        await insertAuditEvent(tx, event, now);
        return 'removed';
      });
    } catch (err) {
      if (err instanceof LastWayIn) return 'last';
      throw err;
    }
  }

  async createChallenge(c: PasskeyChallenge) {
    const expired = this.db.selectFrom('passkey_challenges').select('id').where('expires_at', '<=', c.createdAt).limit(EXPIRED_BATCH);
    await this.db.deleteFrom('passkey_challenges').where('id', 'in', expired).execute();
    const data = Object.keys(c.data).length === 0 ? null : JSON.stringify(c.data);
    await this.db
      .insertInto('passkey_challenges')
      .values({ id: c.id, purpose: c.purpose, user_id: c.userId, pending_id: c.pendingId, data, created_at: c.createdAt, expires_at: c.expiresAt })
      .execute();
  }

  async takeChallenge(id: string, now: number) {
    // One statement: of two requests presenting the same challenge, only one gets the row.
    const row = await this.db.deleteFrom('passkey_challenges').where('id', '=', id).returning(CHALLENGE_COLUMNS).executeTakeFirst();
    if (!row || Number(row.expires_at) <= now) return undefined;
    return {
      id: row.id,
      purpose: row.purpose as ChallengePurpose,
      userId: row.user_id,
      pendingId: row.pending_id,
      data: challengeData(row.data),
      createdAt: Number(row.created_at),
      expiresAt: Number(row.expires_at),
    };
  }
}
