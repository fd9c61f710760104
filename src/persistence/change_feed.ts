/**
 * Tells every Tessera process about revocations and key rotations the moment they happen.
 * On PostgreSQL: LISTEN/NOTIFY on one dedicated connection, reconnecting after a loss. On SQLite:
 * a small `changes` table that every process appends its announcements to and polls
 * (SqliteChangeFeed below), so a change made by the CLI, or by another server process on the same
 * file, reaches a running server in a poll interval. Either way each process also polls its
 * sources (see RevocationCache) and its caches expire, so a lost notification delays a change by
 * one poll interval or one TTL at most.
 * @module
 */
import { EventEmitter } from 'node:events';
import { randomId } from '../crypto/random.ts';
import type pg from 'pg';
import { sql } from 'kysely';
import type { Narrowing } from '../domain/grants.ts';
import type { AppSuspension } from '../domain/app_suspensions.ts';
import type { Db } from './database.ts';
import { pgDriver } from './pg_driver.ts';

export type ChangeEvent =
  | { type: 'revoked'; id: string; kind: 'grant' | 'family' | 'token'; expiresAt: number }
  /** A person took scopes or organizations away from a grant: tokens in hand shrink to match. */
  | { type: 'narrowed'; narrowing: Narrowing }
  | { type: 'keys' }
  /** A person joined, left or changed role in an organization: drop their cached reach. */
  | { type: 'membership'; userId: string }
  /** An organization's third-party policy or app rules changed: drop its cached policy. */
  | { type: 'org_policy'; orgId: string }
  /** A person turned TOTP on or off, added or removed a passkey, or an operator reset their factors: drop their cached standing. */
  | { type: 'second_factor'; userId: string }
  /** An app, or one of its secrets, was created, changed, revoked or deleted: drop its cached credentials. */
  | { type: 'app'; appId: string }
  /** An operator suspended an app or lifted its suspension (issue 21): every node's SuspendedApps takes the row as it now is. */
  | { type: 'app_suspension'; suspension: AppSuspension };

export interface ChangeFeed {
  publish(event: ChangeEvent): Promise<void>;
  subscribe(handler: (event: ChangeEvent) => void): void;
  close(): Promise<void>;
}

const CHANNEL = 'tessera_changes';

export class LocalChangeFeed implements ChangeFeed {
  private readonly emitter = new EventEmitter();

  async publish(event: ChangeEvent) {
    this.emitter.emit('change', event);
  }

  subscribe(handler: (event: ChangeEvent) => void) {
    this.emitter.on('change', handler);
  }

  async close() {
    this.emitter.removeAllListeners();
  }
}

export class PostgresChangeFeed implements ChangeFeed {
  private readonly emitter = new EventEmitter();
  private listener: pg.Client | undefined;
  private closed = false;
  private retry: NodeJS.Timeout | undefined;

  constructor(
    private readonly pool: pg.Pool,
    private readonly clientConfig: pg.ClientConfig,
    private readonly onError: (err: unknown) => void = () => {},
  ) {}

  async start(): Promise<void> {
    const client = new (pgDriver().Client)(this.clientConfig);
    client.on('error', (err) => this.reconnect(err));
    client.on('end', () => this.reconnect(new Error('listener connection ended')));
    client.on('notification', (msg) => {
      if (msg.channel !== CHANNEL || !msg.payload) return;
      try {
        this.emitter.emit('change', JSON.parse(msg.payload) as ChangeEvent);
      } catch (err) {
        this.onError(err);
      }
    });
    await client.connect();
    await client.query(`LISTEN ${CHANNEL}`);
    this.listener = client;
  }

  private reconnect(err: unknown) {
    if (this.closed || this.retry) return;
    this.onError(err);
    this.listener = undefined;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      this.start().catch((e: unknown) => this.reconnect(e));
    }, 1000);
    this.retry.unref();
  }

  async publish(event: ChangeEvent) {
    // Local subscribers hear it at once; other processes through NOTIFY (this one too, harmlessly).
    this.emitter.emit('change', event);
    await this.pool.query('SELECT pg_notify($1, $2)', [CHANNEL, JSON.stringify(event)]);
  }

  subscribe(handler: (event: ChangeEvent) => void) {
    this.emitter.on('change', handler);
  }

  async close() {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    this.emitter.removeAllListeners();
    const client = this.listener;
    this.listener = undefined;
    if (client) {
      client.removeAllListeners('end');
      await client.end().catch(() => {});
    }
  }
}

/**
 * The change feed over one SQLite file, shared by every process that opens it (servers, the CLI).
 *
 * Why a change-log table and not `PRAGMA data_version` alone (reload everything when another
 * connection committed): data_version moves on ANY commit by another connection, and a second
 * server process on the same file commits all the time (sessions, tokens, "last used" batches), so
 * "reload everything" would flush every cache of every process several times a second. The table
 * says exactly what changed, so a process drops exactly the entries the PostgreSQL feed would
 * drop. data_version is still what keeps the poll cheap: it is read every `pollMs` (one pragma,
 * no table read, no I/O: SQLite answers it from the WAL index it already has mapped), and the
 * table is read only when another connection committed something since the last look.
 *
 * - `publish` dispatches to this process's subscribers at once, then appends the event, tagged
 *   with this feed's random origin, and deletes rows older than `retainSeconds` (the table stays
 *   at a minute's worth of changes; changes are rare admin actions).
 * - `start` (servers only; the CLI publishes and exits) remembers the newest id, then polls. Rows
 *   from its own origin are skipped, so an event this process published is handled once, locally.
 * - Row ids increase in commit order (SQLite has one writer at a time), so "id > last seen" never
 *   skips a row committed late, unlike a sequence on PostgreSQL.
 * - A process that does not poll for longer than `retainSeconds` (suspended) may miss rows; its
 *   caches' TTLs and the revocation and key polls are the backstop, as for a lost NOTIFY.
 */
export class SqliteChangeFeed implements ChangeFeed {
  private readonly emitter = new EventEmitter();
  /** Tells this process's rows from the others'. */
  readonly origin = randomId();
  private lastId = 0;
  private dataVersion: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private polling = false;
  private closed = false;
  /** Table reads done by the poll (data_version changed), for tests and measurement. */
  reads = 0;

  constructor(
    private readonly db: Db,
    private readonly options: { pollMs?: number; retainSeconds?: number; onError?: (err: unknown) => void } = {},
  ) {}

  /** Starts listening: changes appended by other processes from now on reach the subscribers. */
  async start(): Promise<void> {
    this.dataVersion = await this.readDataVersion();
    const newest = await this.db.selectFrom('changes').select((eb) => eb.fn.max('id').as('id')).executeTakeFirst();
    this.lastId = Number(newest?.id ?? 0);
    this.timer = setInterval(() => void this.poll(), this.options.pollMs ?? 150);
    this.timer.unref();
  }

  /** One look: nothing but a pragma unless another connection committed since the last look. */
  async poll(): Promise<void> {
    if (this.polling || this.closed) return;
    this.polling = true;
    try {
      const version = await this.readDataVersion();
      if (version === this.dataVersion) return;
      this.dataVersion = version;
      this.reads++;
      const rows = await this.db.selectFrom('changes').select(['id', 'origin', 'event']).where('id', '>', this.lastId).orderBy('id').execute();
      for (const row of rows) {
        this.lastId = Math.max(this.lastId, Number(row.id));
        if (row.origin === this.origin) continue;
        try {
          this.emitter.emit('change', JSON.parse(row.event) as ChangeEvent);
        } catch (err) {
          this.options.onError?.(err);
        }
      }
    } catch (err) {
      // Database busy or gone: the next tick tries again (data_version is re-read then).
      this.dataVersion = undefined;
      this.options.onError?.(err);
    } finally {
      this.polling = false;
    }
  }

  async publish(event: ChangeEvent) {
    this.emitter.emit('change', event);
    const now = Math.floor(Date.now() / 1000);
    await this.db.insertInto('changes').values({ origin: this.origin, event: JSON.stringify(event), created_at: now }).execute();
    await this.db.deleteFrom('changes').where('created_at', '<', now - (this.options.retainSeconds ?? 60)).execute();
  }

  subscribe(handler: (event: ChangeEvent) => void) {
    this.emitter.on('change', handler);
  }

  async close() {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.emitter.removeAllListeners();
  }

  private async readDataVersion(): Promise<number> {
    const { rows } = await sql<{ data_version: number }>`pragma data_version`.execute(this.db);
    return Number(rows[0]?.data_version);
  }
}
