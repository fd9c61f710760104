/**
 * Tells every Tessera process about revocations and key rotations the moment they happen.
 * On PostgreSQL: LISTEN/NOTIFY on one dedicated connection, reconnecting after a loss. On SQLite
 * (one node): in-process only. Either way each process also polls (see RevocationCache), so a
 * notification lost during a reconnect delays a change by one poll interval at most.
 * @module
 */
import { EventEmitter } from 'node:events';
import pg from 'pg';
import type { Narrowing } from '../domain/grants.ts';

export type ChangeEvent =
  | { type: 'revoked'; id: string; kind: 'grant' | 'family' | 'token'; expiresAt: number }
  /** A person took scopes or organizations away from a grant: tokens in hand shrink to match. */
  | { type: 'narrowed'; narrowing: Narrowing }
  | { type: 'keys' }
  /** A person joined, left or changed role in an organization: drop their cached reach. */
  | { type: 'membership'; userId: string }
  /** An organization's third-party policy or app rules changed: drop its cached policy. */
  | { type: 'org_policy'; orgId: string }
  /** An app, or one of its secrets, was created, changed, revoked or deleted: drop its cached credentials. */
  | { type: 'app'; appId: string };

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
    const client = new pg.Client(this.clientConfig);
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
