/**
 * A throw-away PostgreSQL cluster of a test's own (initdb into a temporary directory, its own port
 * and socket directory, trust authentication), so a test can stop and start *its* database to
 * prove outage behaviour (SECURITY R3) without touching the shared server at 127.0.0.1:5432,
 * which every other test uses.
 *
 * As root, initdb refuses to run, so every PostgreSQL command then runs as the `postgres` user
 * and the directory is handed to that user.
 */
import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './app.ts';

const run = promisify(execFile);

export interface PgCluster {
  /** postgres://postgres@127.0.0.1:PORT/tessera */
  url: string;
  port: number;
  /** Fast shutdown: connections are terminated, as in a database restart or a crash of its host. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /**
   * SIGSTOP to the server and every backend: connections stay open and accept bytes but nothing
   * answers, like a paused container or a partitioned network (the worst case for timeouts).
   */
  freeze(): Promise<void>;
  /** SIGCONT to the same processes. */
  thaw(): Promise<void>;
  /** Stops the cluster (if running) and deletes its files. */
  remove(): Promise<void>;
}

/** The directory of initdb, pg_ctl and createdb: where /usr/local/bin/initdb links to, else the newest Debian install. */
function binDir(): string {
  if (existsSync('/usr/local/bin/initdb')) return dirname(realpathSync('/usr/local/bin/initdb'));
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base) ? readdirSync(base).sort((a, b) => Number(b) - Number(a)) : [];
  for (const version of versions) if (existsSync(join(base, version, 'bin', 'initdb'))) return join(base, version, 'bin');
  throw new Error('initdb not found (looked in /usr/local/bin and /usr/lib/postgresql/*/bin)');
}

const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;

/** Runs a PostgreSQL program, as the `postgres` user when we are root. */
async function pg(program: string, args: string[]): Promise<string> {
  const path = join(binDir(), program);
  const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', path, ...args]] : [path, args];
  const { stdout } = await run(file, argv, { timeout: 60000 });
  return stdout;
}

export async function startPgCluster(): Promise<PgCluster> {
  const root = mkdtempSync(join(tmpdir(), 'tessera-pg-'));
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    chownSync(root, Number(stdout.trim()), Number(gid.trim()));
  }
  const data = join(root, 'data');
  const port = await freePort();
  await pg('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8']);
  // Small and loopback-only; fsync off because this cluster's durability is not under test.
  const options = [
    `-p ${port}`,
    `-k ${root}`,
    '-c listen_addresses=127.0.0.1',
    '-c fsync=off',
    '-c shared_buffers=16MB',
    '-c max_connections=60',
  ].join(' ');
  let running = false;
  let frozen: number[] = [];
  const cluster: PgCluster = {
    url: `postgres://postgres@127.0.0.1:${port}/tessera`,
    port,
    async start() {
      await pg('pg_ctl', ['-D', data, '-l', join(root, 'log'), '-o', options, '-w', '-t', '30', 'start']);
      running = true;
    },
    async stop() {
      await pg('pg_ctl', ['-D', data, '-m', 'fast', '-w', '-t', '30', 'stop']);
      running = false;
    },
    async freeze() {
      frozen = await clusterPids(data);
      for (const pid of frozen) process.kill(pid, 'SIGSTOP');
    },
    async thaw() {
      for (const pid of frozen) process.kill(pid, 'SIGCONT');
      frozen = [];
    },
    async remove() {
      if (frozen.length) await cluster.thaw().catch(() => {});
      if (running) await cluster.stop().catch(() => {});
      rmSync(root, { recursive: true, force: true });
    },
  };
  try {
    await cluster.start();
    await pg('createdb', ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', 'tessera']);
  } catch (err) {
    await cluster.remove();
    throw err;
  }
  return cluster;
}

/** The postmaster (first line of postmaster.pid) and its children. */
async function clusterPids(data: string): Promise<number[]> {
  const postmaster = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const { stdout } = await run('ps', ['-o', 'pid=', '--ppid', String(postmaster)]).catch(() => ({ stdout: '' }));
  return [postmaster, ...stdout.split(/\s+/).filter(Boolean).map(Number)];
}
