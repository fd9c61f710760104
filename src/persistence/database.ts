/**
 * Opens the database named by the configuration: better-sqlite3 (WAL) for the embedded default,
 * pg for PostgreSQL. Nothing outside persistence/ imports kysely.
 * @module
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import type pg from 'pg';
import { CompiledQuery, Kysely, PostgresDialect, SqliteDialect, SqliteDriver, sql, type DatabaseConnection, type Driver, type SqliteDatabase, type SqliteDialectConfig } from 'kysely';
import type { DatabaseConfig } from '../config/config.ts';
import type { Database } from './schema.ts';
import { namingStatements } from './named_statements.ts';
import { pgDriver } from './pg_driver.ts';

export type Db = Kysely<Database>;

export interface DatabaseHandle {
  db: Db;
  dialect: DatabaseConfig['dialect'];
  /** The pg pool, for LISTEN/NOTIFY; undefined on SQLite. */
  pool?: pg.Pool;
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
    const db = new Kysely<Database>({ dialect: new ImmediateSqliteDialect({ database: keepingStatements(sqlite) }) });
    return { db, dialect: 'sqlite', close: () => db.destroy() };
  }
  const pool = new (pgDriver().Pool)({
    connectionString: config.url,
    max: 10,
    connectionTimeoutMillis: 5000,
    idleTimeoutMillis: 30000,
    // A statement that hangs must not hold a request forever (SECURITY R7).
    statement_timeout: 10000,
    // Nor a database that stops answering on an open connection (paused, partitioned): the server's
    // statement_timeout cannot fire then, so the client gives up a second later. Found by
    // test/reliability/db_outage.test.ts ("frozen"), where a code exchange hung past 15 s.
    query_timeout: 11000,
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

/**
 * Every transaction takes SQLite's write lock when it begins (BEGIN IMMEDIATE). A deferred BEGIN
 * reads first and asks for the lock at its first write; if another process (the CLI, a second server,
 * its mail sender) committed in between, SQLite refuses at once with SQLITE_BUSY_SNAPSHOT, which no
 * busy_timeout waits out, and the request answered 500. Found by test/reliability/sign_in_crash.test.ts,
 * where the test's own process delivers mail from the same file. Taking the lock first makes the
 * transaction wait for the other writer (busy_timeout) instead. One connection per process runs one
 * transaction at a time anyway, so nothing here loses concurrency.
 * https://www.sqlite.org/lang_transaction.html ("Read transactions versus write transactions")
 */
class ImmediateSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;
  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#config = config;
  }
  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config);
  }
}

class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

/**
 * better-sqlite3 with its prepared statements kept. Kysely prepares every query anew, and on the
 * hot paths preparing costs about as much as running the query (bench/profile.ts: better-sqlite3
 * `prepare` is 7–10% of the server's CPU on /token and /introspect; a reused statement takes ~40%
 * less CPU per query). Stores build their SQL from a few fixed shapes, so the map stays small; a
 * bound clears it should varying shapes (IN lists) ever fill it. Kysely's SQLite driver runs one
 * query at a time, so a statement is never used twice at once.
 */
function keepingStatements(sqlite: SQLite.Database): SqliteDatabase {
  const statements = new Map<string, SQLite.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(text: string) {
      let statement = statements.get(text);
      if (!statement) {
        if (statements.size >= 500) statements.clear();
        statement = sqlite.prepare(text);
        statements.set(text, statement);
      }
      return statement;
    },
  };
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
