/**
 * Opens the database named by the configuration: better-sqlite3 (WAL) for the embedded default,
 * pg for PostgreSQL. Nothing outside persistence/ imports kysely.
 * @module
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import type pg from 'pg';
import { Kysely, PostgresDialect, sql } from 'kysely';
import type { DatabaseConfig } from '../config/config.ts';
import type { Database } from './schema.ts';
import { namingStatements } from './named_statements.ts';
import { GroupCommit } from './group_commit.ts';
import { GroupCommitSqliteDialect } from './group_commit_driver.ts';
import { WalCheckpoints } from './wal_checkpoints.ts';
import { pgDriver } from './pg_driver.ts';

export type Db = Kysely<Database>;

/** PostgreSQL: the server ends a statement running this long (SECURITY R7). */
export const STATEMENT_TIMEOUT_MS = 10_000;
/**
 * PostgreSQL: this process stops waiting for an answer this long after sending a statement (a
 * frozen or partitioned database). The statement may still run later, when the database reads it
 * from its socket: stores/checked_exchanges.ts makes its writes carry a deadline before this.
 */
export const QUERY_TIMEOUT_MS = 11_000;

export interface DatabaseHandle {
  db: Db;
  dialect: DatabaseConfig['dialect'];
  /** The pg pool, for LISTEN/NOTIFY; undefined on SQLite. */
  pool?: pg.Pool;
  /** SQLite: the group commit and the checkpoints of this connection (figures for tests and the bench). */
  sqlite?: { group: GroupCommit; checkpoints?: WalCheckpoints };
  close(): Promise<void>;
}

export function openDatabase(config: DatabaseConfig): DatabaseHandle {
  if (config.dialect === 'sqlite') {
    if (config.path !== ':memory:') mkdirSync(dirname(config.path), { recursive: true });
    const sqlite = new SQLite(config.path);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
    // Checkpoints between groups, not inside a commit (persistence/wal_checkpoints.ts); a log that
    // grew past 64 MB once (a bulk import) is cut back to that when it restarts.
    sqlite.pragma('wal_autocheckpoint = 0');
    sqlite.pragma('journal_size_limit = 67108864');
    let checkpoints: WalCheckpoints | undefined;
    const group = new GroupCommit(sqlite, { afterGroup: () => checkpoints?.afterGroup() });
    if (config.path !== ':memory:') checkpoints = new WalCheckpoints(config.path, group);
    const db = new Kysely<Database>({ dialect: new GroupCommitSqliteDialect(group) });
    const close = async () => {
      await checkpoints?.close();
      await db.destroy();
    };
    return { db, dialect: 'sqlite', sqlite: { group, ...(checkpoints ? { checkpoints } : {}) }, close };
  }
  const pool = new (pgDriver().Pool)({
    connectionString: config.url,
    max: 10,
    connectionTimeoutMillis: 5000,
    idleTimeoutMillis: 30000,
    // A statement that hangs must not hold a request forever (SECURITY R7).
    statement_timeout: STATEMENT_TIMEOUT_MS,
    // Nor a database that stops answering on an open connection (paused, partitioned): the server's
    // statement_timeout cannot fire then, so the client gives up a second later. Found by
    // test/reliability/db_outage.test.ts ("frozen"), where a code exchange hung past 15 s.
    query_timeout: QUERY_TIMEOUT_MS,
    ...(config.schema ? { options: `-c search_path=${config.schema}` } : {}),
  });
  // An idle client losing its connection (database restart) must not crash the process.
  pool.on('error', () => {});
  // Nor a checked-out one: pg emits 'error' on a client whose connection drops mid-query, and the
  // pool listens only while the client is idle. The query itself still fails (and maps to 503).
  pool.on('connect', (client) => client.on('error', () => {}));
  if (config.preparedStatements !== false) namingStatements(pool);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, dialect: 'postgres', pool, close: () => db.destroy() };
}

/** True when the database answers a trivial query; used by /readyz. */
export async function isReachable(db: Db): Promise<boolean> {
  try {
    await sql`select 1`.execute(db);
    return true;
  } catch {
    return false;
  }
}
