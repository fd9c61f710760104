/**
 * Two Tessera processes on one PostgreSQL (issue 2, "done when"): a token issued by one works on
 * the other, and a revoke answered by one is refused by the other within one second — through
 * LISTEN/NOTIFY alone, since both poll only once a minute here.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { dialects, POSTGRES_URL } from '../support/app.ts';
import { loadConfig } from '../../src/config/config.ts';
import { type Deps } from '../../src/deps.ts';
import { createDeps } from '../../src/create_deps.ts';
import { createLogger } from '../../src/ops/logger.ts';
import { createClient, createUser, type TestClient } from '../support/fixtures.ts';
import { basic, issueTestCode } from '../support/codes.ts';
import { startServerProcess, type ServerProcess } from '../support/processes.ts';

// describe.skip is describe with { skip: true }; written as an option, the linter sees node:test's describe.
const skip = !dialects().includes('postgres');

describe('two server processes on one PostgreSQL', { skip }, () => {
  const database = 'tessera_two_' + randomBytes(4).toString('hex');
  const databaseUrl = POSTGRES_URL.replace(/\/[^/]*$/, `/${database}`);
  const kek = randomBytes(32).toString('base64url');
  let seed: Deps;
  let a: ServerProcess;
  let b: ServerProcess;
  let client: TestClient;

  async function admin(sql: string) {
    const c = new pg.Client({ connectionString: POSTGRES_URL });
    await c.connect();
    await c.query(sql);
    await c.end();
  }

  before(async () => {
    await admin(`CREATE DATABASE ${database}`);
    // One issuer for both, as behind a load balancer; each listens on its own port.
    const env = { DATABASE_URL: databaseUrl, KEY_ENCRYPTION_KEY: kek, SYNC_INTERVAL_MS: '60000', PUBLIC_URL: 'https://tessera.internal' };
    a = await startServerProcess(env);
    b = await startServerProcess(env);
    // Seeding goes through Tessera's own stores on the same database (people and apps have no HTTP API yet).
    seed = await createDeps(loadConfig({ ...env, LOG_LEVEL: 'silent' }), { log: createLogger('silent') });
    client = await createClient(seed, { redirectUris: ['https://app.example/cb'] });
  });

  after(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await seed?.close();
    await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  });

  it('a revoke answered by one process is refused by the other within one second', async () => {
    const alice = await createUser(seed, 'alice@example.com');
    const issued = await issueTestCode(seed, { client, user: alice, scopes: ['openid', 'offline_access'], redirectUri: 'https://app.example/cb' });
    const form = (fields: Record<string, string>) => ({
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(client.clientId, client.clientSecret!) },
      body: new URLSearchParams(fields).toString(),
    });
    const tokenResponse = await fetch(`${a.url}/token`, form({ grant_type: 'authorization_code', code: issued.code, code_verifier: issued.verifier, redirect_uri: 'https://app.example/cb' }));
    assert.equal(tokenResponse.status, 200);
    const tokens = (await tokenResponse.json()) as { access_token: string; refresh_token: string };

    // Process B accepts a token process A issued: they share keys and revocations through the database.
    const onB = () => fetch(`${b.url}/api/v1/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    assert.equal((await onB()).status, 200);

    const started = Date.now();
    const revoked = await fetch(`${a.url}/revoke`, form({ token: tokens.refresh_token }));
    assert.equal(revoked.status, 200);
    let status = 200;
    while (Date.now() - started < 1000) {
      status = (await onB()).status;
      if (status === 401) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.equal(status, 401, `process B still accepted the token ${Date.now() - started} ms after process A revoked it`);
  });
});
