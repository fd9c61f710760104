/**
 * A real Tessera for a test: its own SQLite file or its own PostgreSQL schema, migrations applied,
 * keys generated, optionally listening on a loopback port for real client libraries.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { loadConfig, type Config } from '../../src/config/config.ts';
import { type Clock, type Deps } from '../../src/deps.ts';
import { createDeps } from '../../src/create_deps.ts';
import { buildApp } from '../../src/app.ts';
import { createLogger } from '../../src/ops/logger.ts';
import { parseDialects, type Dialect } from './dialects.ts';

export type { Dialect };

export const POSTGRES_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/**
 * Dialects this run covers: `TEST_DIALECTS` (set by test/run.sh), default SQLite only. An unknown
 * name, or `REQUIRE_POSTGRES=1` without postgres, throws (test/support/dialects.ts).
 */
export function dialects(): Dialect[] {
  return parseDialects(process.env);
}

/** A clock tests can move; starts at the real time. */
export class TestClock implements Clock {
  private offsetMs = 0;
  nowMs() {
    return Date.now() + this.offsetMs;
  }
  now() {
    return Math.floor(this.nowMs() / 1000);
  }
  advance(seconds: number) {
    this.offsetMs += seconds * 1000;
  }
  /**
   * Moves the clock to the very start of `second` (epoch seconds): a test that checks a boundary
   * at whole seconds then has a whole real second before `now()` moves on by itself.
   */
  toStartOf(second: number) {
    this.offsetMs += second * 1000 - this.nowMs();
  }
  /**
   * Moves the clock to the next UTC midnight when that is less than `marginSeconds` away, so a
   * test that counts per day (usage panels) cannot see its counts split across two days.
   */
  awayFromMidnight(marginSeconds = 120) {
    const left = 86_400 - (this.nowMs() / 1000) % 86_400;
    if (left < marginSeconds) this.advance(left);
  }
}

export interface TestApp {
  app: FastifyInstance;
  deps: Deps;
  config: Config;
  clock: TestClock;
  /** The issuer, e.g. http://127.0.0.1:PORT (listening only when `listen: true`). */
  issuer: string;
  close(): Promise<void>;
}

export interface TestAppOptions {
  dialect?: Dialect;
  env?: Record<string, string>;
  listen?: boolean;
  /** Share a database with another TestApp (several nodes): pass its `database` here. */
  database?: { dialect: Dialect; sqlitePath?: string; schema?: string };
  /** Key-encryption key shared between nodes; generated when absent. */
  keyEncryptionKey?: string;
  /** The logger to run with (e.g. one writing to memory, to grep the logs); default: silent, or TEST_LOG_LEVEL. */
  log?: Logger;
}

/**
 * A port for a test server, below the kernel's ephemeral range (32768 and up here): a port the
 * kernel handed out for `listen(0)` and freed again can be taken at once by an outgoing connection
 * (to PostgreSQL, say) before the test server binds it, which made EADDRINUSE flakes under load.
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 12000);
    if (await canListen(port)) return port;
  }
  throw new Error('no free port between 20000 and 32000');
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

export async function createPostgresSchema(): Promise<string> {
  const schema = 't_' + randomBytes(6).toString('hex');
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  await client.query(`CREATE SCHEMA ${schema}`);
  await client.end();
  return schema;
}

/**
 * Test schemas are not dropped by the test that made them: Kysely's migrator introspects every
 * schema of the database, and a schema dropped by one test file while another file introspects
 * fails that file with "schema does not exist". test/run.sh drops them all before and after a run.
 */
export async function dropAllTestSchemas(): Promise<number> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  const { rows } = await client.query<{ nspname: string }>("SELECT nspname FROM pg_namespace WHERE nspname LIKE 't\\_%'");
  for (const { nspname } of rows) await client.query(`DROP SCHEMA IF EXISTS "${nspname}" CASCADE`);
  await client.end();
  return rows.length;
}

/** The database settings of a test app, so a second node can share them. */
export function databaseOf(t: TestApp): NonNullable<TestAppOptions['database']> {
  const db = t.config.database;
  return db.dialect === 'sqlite' ? { dialect: 'sqlite', sqlitePath: db.path } : { dialect: 'postgres', schema: db.schema };
}

export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const dialect = options.database?.dialect ?? options.dialect ?? 'sqlite';
  const cleanups: (() => Promise<void> | void)[] = [];
  const dataDir = mkdtempSync(join(tmpdir(), 'tessera-test-'));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));

  let databaseUrl: string;
  let schema: string | undefined;
  if (dialect === 'sqlite') {
    databaseUrl = 'sqlite:' + (options.database?.sqlitePath ?? join(dataDir, 'tessera.db'));
  } else {
    databaseUrl = POSTGRES_URL;
    schema = options.database?.schema;
    if (!schema) {
      schema = await createPostgresSchema();
    }
  }

  const port = options.listen ? await freePort() : 3000;
  const config = loadConfig({
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    DATABASE_URL: databaseUrl,
    DATA_DIR: dataDir,
    KEY_ENCRYPTION_KEY: options.keyEncryptionKey ?? testKek,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    SYNC_INTERVAL_MS: '200',
    // No background janitor unless a test asks for one (test/cli/janitor.test.ts): its rounds come at
    // a random moment 30-90 s in, and one landing in a long file (the CLI suites) would delete rows
    // the test had just seeded as old, e.g. the 400-day audit event of test/cli/audit.test.ts.
    JANITOR_INTERVAL_MS: '0',
    ...options.env,
  });
  if (config.database.dialect === 'postgres') config.database.schema = schema;

  const clock = new TestClock();
  const deps = await createDeps(config, { clock, log: options.log ?? createLogger(config.logLevel) });
  cleanups.push(() => deps.close());
  const app = await buildApp(deps);
  cleanups.push(() => app.close());
  if (options.listen) await app.listen({ port, host: '127.0.0.1' });

  return {
    app,
    deps,
    config,
    clock,
    issuer: config.issuer,
    async close() {
      for (const cleanup of cleanups.reverse()) await cleanup();
    },
  };
}

/** One KEK for a whole test process, so nodes sharing a database can read each other's keys. */
const testKek = randomBytes(32).toString('base64url');
