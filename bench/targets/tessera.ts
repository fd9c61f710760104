/**
 * Tessera under test: a fresh SQLite file or PostgreSQL schema, the server in its own process
 * (bench/servers/tessera.ts, configured as in production; on PostgreSQL optionally more processes
 * on the same schema, as behind a load balancer), and a seeding connection here.
 * @module
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { loadConfig } from '../../src/config/config.ts';
import { type Deps } from '../../src/deps.ts';
import { createDeps } from '../../src/create_deps.ts';
import { createLogger } from '../../src/ops/logger.ts';
import { ServerProcess } from '../lib/child.ts';
import { CookieJar, FORM, form } from '../lib/http.ts';
import { freePort } from '../lib/ports.ts';
import { EMAIL, PASSWORD } from '../lib/reference_client.ts';
import { mintCodes, seed, type Seeded } from '../seed.ts';
import { obtainTokens } from '../scenarios/token.ts';
import type { OAuthServer } from '../scenarios/index.ts';

export const POSTGRES_URL = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TesseraTarget extends OAuthServer {
  server: ServerProcess;
  /** Further processes on the same database, keys and issuer, as behind a load balancer (`nodes` > 1). */
  peers: ServerProcess[];
  deps: Deps;
  seeded: Seeded;
  /** The servers' environment (its database, data directory and key-encryption key). */
  env: Record<string, string>;
  close(): Promise<void>;
}

async function onPostgres(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

export interface StartOptions {
  /** Runs on the seeded database before the server starts (bench --scale's bulk rows). */
  prepare?: (deps: Deps) => Promise<void>;
  /** Server processes on the one database (PostgreSQL only; default 1). */
  nodes?: number;
}

export async function startTessera(dialect: 'sqlite' | 'postgres', { prepare, nodes = 1 }: StartOptions = {}): Promise<TesseraTarget> {
  if (nodes > 1 && dialect !== 'postgres') throw new Error('several nodes share a PostgreSQL database only');
  const dataDir = mkdtempSync(join(tmpdir(), 'tessera-bench-'));
  const schema = 'bench_' + randomBytes(5).toString('hex');
  if (dialect === 'postgres') await onPostgres(`CREATE SCHEMA ${schema}`);
  const port = await freePort();
  const env: Record<string, string> = {
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    DATABASE_URL: dialect === 'sqlite' ? 'sqlite:' + join(dataDir, 'tessera.db') : POSTGRES_URL,
    DATA_DIR: dataDir,
    KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64url'),
    // Request logging off, as the references do not log either; BENCH_LOG_LEVEL=info to include it.
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
    // Pre-minted codes must outlive warm-up and measurement (the default is 60 s).
    AUTHORIZATION_CODE_TTL: '600',
    // The API read drives one grant far past a person's fair share (600 calls a minute): the limiter
    // still runs on every call, but must not refuse, so the figure is throughput, not 429s.
    API_RATE_LIMIT: '9999999/60',
    ...(dialect === 'postgres' ? { BENCH_PG_SCHEMA: schema } : {}),
  };
  const config = loadConfig(env);
  if (config.database.dialect === 'postgres') config.database.schema = schema;
  // The seeder migrates and creates the keys first; the server then starts on a ready database.
  const deps = await createDeps(config, { log: createLogger('silent') });
  let seeded: Seeded;
  // The scenarios' server first, then its peers.
  const started: ServerProcess[] = [];
  try {
    seeded = await seed(deps);
    if (prepare) await prepare(deps);
    started.push(await ServerProcess.start('tessera', env));
    // Same DATABASE_URL, schema, KEY_ENCRYPTION_KEY and PUBLIC_URL (one issuer); only the port differs.
    for (let i = 1; i < nodes; i++) started.push(await ServerProcess.start('tessera', { ...env, PORT: String(await freePort()) }));
  } catch (err) {
    // A failed start (a bulk seed that timed out, say) must not leave a process, a schema or a multi-GB file behind.
    for (const node of started) await node.stop();
    await deps.close();
    if (dialect === 'postgres') await onPostgres(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  const [server, ...peers] = started as [ServerProcess, ...ServerProcess[]];

  const target: TesseraTarget = {
    server,
    peers,
    deps,
    seeded,
    env,
    clientId: seeded.clientId,
    paths: { token: '/token', introspect: '/introspect', authorize: '/authorize', jwks: '/.well-known/jwks.json', metadata: '/.well-known/openid-configuration' },
    mintCodes: (n) => mintCodes(deps, seeded, n),
    introspectionToken: async () => (await obtainTokens(server, target, 1)).accessToken,
    signedInCookie: () => signIn(server),
    async close() {
      for (const node of started) await node.stop();
      await deps.close();
      if (dialect === 'postgres') await onPostgres(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return target;
}

/** The sign-in form's token (bound to "no pending authorization", so it is the same for every post). */
export async function loginFormToken(server: ServerProcess): Promise<string> {
  const page = await (await fetch(server.url + '/login')).text();
  const token = /name="token" value="([^"]+)"/.exec(page)?.[1];
  if (!token) throw new Error('no token on the sign-in page');
  return token;
}

/** Signs in once through POST /login, as a browser would; returns the Cookie header. */
async function signIn(server: ServerProcess): Promise<string> {
  const jar = new CookieJar();
  const res = await jar.fetch(server.url + '/login', {
    method: 'POST',
    headers: FORM,
    body: form({ email: EMAIL, password: PASSWORD, token: await loginFormToken(server) }),
  });
  if (res.status !== 303 || jar.cookies.size === 0) throw new Error(`sign-in answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
  return jar.header();
}
