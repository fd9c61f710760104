/**
 * Runs the real `tessera` CLI against a real database: its own SQLite file or its own PostgreSQL
 * schema (passed through DATABASE_URL's `options=-c search_path=…`).
 *
 * `runCli` runs the command's own code (src/cli/run.ts) on a worker thread of this process
 * (cli_worker.ts), with the environment it is given and its output captured: a child process costs
 * about a second and a half of TypeScript compilation per call, which made the CLI files the
 * slowest of the suite. `runCliProcess` spawns the real `bin/tessera.js`, for the tests about the
 * process itself (exit status, stdout and stderr of the binary).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { POSTGRES_URL, createPostgresSchema, startTestApp, type Dialect, type TestApp } from '../support/app.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/tessera.js');

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

const WORKER = pathToFileURL(join(import.meta.dirname, 'cli_worker.ts')).href;

interface Pending {
  resolve(result: CliResult): void;
  reject(error: Error): void;
}

/** The worker, started on the first call and kept for the file; it holds the process open only while a call is pending. */
let worker: Worker | undefined;
const pending = new Map<number, Pending>();
let nextId = 0;

function cliWorker(): Worker {
  if (worker) return worker;
  // tsx's hooks are registered inside the worker: a worker does not inherit the parent's --import.
  const started = new Worker(`import('tsx/esm/api').then((tsx) => tsx.register()).then(() => import(${JSON.stringify(WORKER)}))`, { eval: true });
  started.on('message', (message: CliResult & { id: number }) => {
    const call = pending.get(message.id);
    pending.delete(message.id);
    if (pending.size === 0) started.unref();
    call?.resolve({ code: message.code, stdout: message.stdout, stderr: message.stderr });
  });
  const fail = (error: Error) => {
    if (worker === started) worker = undefined;
    for (const call of pending.values()) call.reject(error);
    pending.clear();
  };
  started.on('error', fail);
  started.on('exit', (code) => fail(new Error(`the CLI worker exited (${code})`)));
  worker = started;
  return started;
}

/** One invocation of the CLI's own code: the same dispatch, configuration and output as the binary's. */
export function runCli(args: readonly string[], env: Record<string, string>): Promise<CliResult> {
  const target = cliWorker();
  const id = nextId++;
  target.ref();
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    target.postMessage({ id, args, env });
  });
}

/** The real `tessera` binary as a child process (bin/tessera.js, through tsx as an operator runs it). */
export function runCliProcess(args: readonly string[], env: Record<string, string>): Promise<CliResult> {
  return new Promise((resolvePromise) => {
    execFile(process.execPath, [BIN, ...args], { cwd: ROOT, env, timeout: 180_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      const killed = error && error.signal ? `[killed by ${error.signal}]` : '';
      resolvePromise({ code, stdout, stderr: stderr + killed });
    });
  });
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
