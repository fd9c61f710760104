/**
 * Runs the real `tessera` CLI as a child process against a real database: its own SQLite file
 * or its own PostgreSQL schema (passed through DATABASE_URL's `options=-c search_path=…`).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { POSTGRES_URL, createPostgresSchema, startTestApp, type Dialect, type TestApp } from '../support/app.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const ENTRY = join(ROOT, 'src/cli/main.ts');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A PostgreSQL URL whose connections use `schema` (libpq `options`, honoured by pg). */
export function postgresUrlFor(schema: string): string {
  const separator = POSTGRES_URL.includes('?') ? '&' : '?';
  return `${POSTGRES_URL}${separator}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
}

export class CliTarget {
  private constructor(
    readonly dialect: Dialect,
    readonly dataDir: string,
    readonly databaseUrl: string,
    readonly kek: string,
    readonly sqlitePath: string | undefined,
    readonly schema: string | undefined,
  ) {}

  static async create(dialect: Dialect): Promise<CliTarget> {
    const dataDir = mkdtempSync(join(tmpdir(), 'tessera-cli-'));
    const kek = randomBytes(32).toString('base64url');
    if (dialect === 'sqlite') {
      const path = join(dataDir, 'tessera.db');
      return new CliTarget(dialect, dataDir, `sqlite:${path}`, kek, path, undefined);
    }
    const schema = await createPostgresSchema();
    return new CliTarget(dialect, dataDir, postgresUrlFor(schema), kek, undefined, schema);
  }

  /** The environment a server (and so the CLI) of this installation runs with. */
  env(overrides: Record<string, string> = {}): Record<string, string> {
    return {
      PATH: process.env.PATH ?? '',
      DATABASE_URL: this.databaseUrl,
      DATA_DIR: this.dataDir,
      KEY_ENCRYPTION_KEY: this.kek,
      ...overrides,
    };
  }

  run(args: readonly string[], overrides: Record<string, string> = {}): Promise<CliResult> {
    return runCli(args, this.env(overrides));
  }

  /** Runs a command with --json, expects exit 0, returns the parsed output. */
  async json<T = Record<string, unknown>>(args: readonly string[]): Promise<T> {
    const result = await this.run([...args, '--json']);
    if (result.code !== 0) throw new Error(`tessera ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
    return JSON.parse(result.stdout) as T;
  }

  /**
   * A server process's view of the same database (same KEK), to check what the CLI wrote;
   * `listen` and `env` as startTestApp takes them (a real port, e.g. for outbound deliveries).
   */
  startApp(options: { listen?: boolean; env?: Record<string, string> } = {}): Promise<TestApp> {
    return startTestApp({
      database: this.dialect === 'sqlite' ? { dialect: 'sqlite', sqlitePath: this.sqlitePath! } : { dialect: 'postgres', schema: this.schema! },
      keyEncryptionKey: this.kek,
      ...options,
    });
  }

  async close(): Promise<void> {
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

// Each child compiles TypeScript at start; a few at a time keep a busy CI machine responsive.
const MAX_CHILDREN = 3;
let running = 0;
const waiting: (() => void)[] = [];

async function slot<T>(work: () => Promise<T>): Promise<T> {
  // A finishing child hands its slot straight to the next waiter, so the count never overshoots.
  if (running >= MAX_CHILDREN) await new Promise<void>((resolveSlot) => waiting.push(resolveSlot));
  else running++;
  try {
    return await work();
  } finally {
    const next = waiting.shift();
    if (next) next();
    else running--;
  }
}

export function runCli(args: readonly string[], env: Record<string, string>): Promise<CliResult> {
  return slot(
    () =>
      new Promise((resolvePromise) => {
        execFile(process.execPath, ['--import', 'tsx', ENTRY, ...args], { cwd: ROOT, env, timeout: 180_000 }, (error, stdout, stderr) => {
          const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
          const killed = error && error.signal ? `[killed by ${error.signal}]` : '';
          resolvePromise({ code, stdout, stderr: stderr + killed });
        });
      }),
  );
}

/** Exit ≠ 0 with exactly one line on stderr, naming the problem. */
export function assertRefused(result: CliResult, code: number, pattern: RegExp): void {
  assert.equal(result.code, code, `exit ${result.code}, stderr: ${result.stderr}`);
  assert.equal(result.stdout, '');
  const lines = result.stderr.split('\n').filter((l) => l !== '');
  assert.equal(lines.length, 1, `one stderr line, got: ${result.stderr}`);
  assert.match(lines[0]!, /^tessera: /);
  assert.match(lines[0]!, pattern);
}
