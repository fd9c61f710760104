/**
 * Two real Tessera processes on one PostgreSQL database of their own, as behind a load balancer:
 * one issuer (`PUBLIC_URL`, not either port) and one key-encryption key, each process on its own
 * port. `seed` is Tessera's own deps on the same database, to make people and apps through the
 * real stores (they have no HTTP API). For tests of what one node does and the other must see.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { POSTGRES_URL } from './app.ts';
import { startServerProcess, type ServerProcess } from './processes.ts';
import { loadConfig } from '../../src/config/config.ts';
import type { Deps } from '../../src/deps.ts';
import { createDeps } from '../../src/create_deps.ts';
import { createLogger } from '../../src/ops/logger.ts';

export const SHARED_PUBLIC_URL = 'https://tessera.internal';

export interface TwoNodes {
  a: ServerProcess;
  b: ServerProcess;
  seed: Deps;
  /** What both processes were started with: DATABASE_URL, KEY_ENCRYPTION_KEY, PUBLIC_URL and the test's own. */
  env: Record<string, string>;
  /** Stops both processes and the seed, and drops the database. */
  close(): Promise<void>;
}

async function admin(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: POSTGRES_URL });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

/** `name` goes in the database's name (`tessera_<name>_<random>`); `env` is added to both processes' environment. */
export async function startTwoNodes(name: string, env: Record<string, string> = {}): Promise<TwoNodes> {
  const database = `tessera_${name}_${randomBytes(4).toString('hex')}`;
  const shared = {
    DATABASE_URL: POSTGRES_URL.replace(/\/[^/]*$/, `/${database}`),
    KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64url'),
    PUBLIC_URL: SHARED_PUBLIC_URL,
    ...env,
  };
  await admin(`CREATE DATABASE ${database}`);
  const started: { a?: ServerProcess; b?: ServerProcess; seed?: Deps } = {};
  const close = async () => {
    await Promise.all([started.a?.stop(), started.b?.stop()]);
    await started.seed?.close();
    await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  };
  try {
    started.a = await startServerProcess(shared);
    started.b = await startServerProcess(shared);
    started.seed = await createDeps(loadConfig({ ...shared, LOG_LEVEL: 'silent' }), { log: createLogger('silent') });
  } catch (err) {
    await close();
    throw err;
  }
  return { a: started.a, b: started.b, seed: started.seed, env: shared, close };
}
