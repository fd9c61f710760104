/**
 * SECURITY R3 and R7: a real Tessera process (src/main.ts) on a PostgreSQL cluster of the test's
 * own, which the test stops and starts again (never the shared server). While the database is
 * gone, /token, /introspect and /revoke answer 503 with Retry-After — never a token that was not
 * stored, never `active: true` — /readyz fails, and every request is answered within seconds.
 * When the database returns, service resumes by itself, with the tokens issued before the outage.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { dialects } from '../support/app.ts';
import { loadConfig } from '../../src/config/config.ts';
import { createDeps } from '../../src/create_deps.ts';
import { createLogger } from '../../src/ops/logger.ts';
import { createClient, createUser, type TestClient } from '../support/fixtures.ts';
import { issueTestCode, type IssuedTestCode } from '../support/codes.ts';
import { startServerProcess, type ServerProcess } from '../support/processes.ts';
import { startPgCluster, type PgCluster } from '../support/pg_cluster.ts';
import { exchange, getJson, HANG_MS, introspectAt, percentile, refreshAt, revokeAt, sleep, type Answer, type TokenSet } from './http.ts';

// describe.skip is describe with { skip: true }; written as an option, the linter sees node:test's describe.
const skip = !dialects().includes('postgres');
const REDIRECT = 'https://app.example/cb';
/** The longest any answer may take while the database is gone (pg connect timeout is 5 s). */
const BOUND_MS = 6000;
/** With a database that never answers, the pool's connect timeout (5 s) and query timeout (11 s) bound each answer. */
const FROZEN_BOUND_MS = 13000;
/** How soon after the database is back service must have resumed. */
const RECOVERY_MS = 10000;

interface Scenario {
  before: TokenSet;
  during: IssuedTestCode[];
  afterwards: IssuedTestCode;
}

describe('SECURITY R3: a PostgreSQL outage fails closed and recovers by itself', { skip }, () => {
  let cluster: PgCluster;
  let server: ServerProcess;
  let client: TestClient;
  const scenarios: Scenario[] = [];
  const dataDir = mkdtempSync(join(tmpdir(), 'tessera-outage-'));

  before(async () => {
    cluster = await startPgCluster();
    const env = { DATABASE_URL: cluster.url, KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64url'), DATA_DIR: dataDir, SYNC_INTERVAL_MS: '500' };
    server = await startServerProcess(env);
    // People, the app and the codes go in through Tessera's own stores before any outage.
    const seed = await createDeps(loadConfig({ ...env, LOG_LEVEL: 'silent' }), { log: createLogger('silent') });
    try {
      client = await createClient(seed, { redirectUris: [REDIRECT] });
      const alice = await createUser(seed, 'alice@example.com');
      const code = () => issueTestCode(seed, { client, user: alice, scopes: ['openid', 'offline_access'], redirectUri: REDIRECT });
      for (let i = 0; i < 2; i++) {
        const res = await exchange(server.url, client, await code(), REDIRECT);
        assert.equal(res.status, 200, JSON.stringify(res.body) + server.output());
        scenarios.push({ before: res.body as unknown as TokenSet, during: [await code(), await code(), await code()], afterwards: await code() });
      }
    } finally {
      await seed.close();
    }
  });

  after(async () => {
    await server?.stop('SIGKILL');
    await cluster?.remove();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** Load for `seconds` while the database is down, then `up()`, then checks that service resumed. */
  async function outage(name: string, scenario: Scenario, down: () => Promise<void>, up: () => Promise<void>, seconds: number, boundMs: number) {
    const { before: before1, during, afterwards } = scenario;
    assert.equal((await getJson(server.url, '/readyz')).status, 200);
    assert.equal((await introspectAt(server.url, client, before1.access_token)).body.active, true);

    // Open connections in the pool, so the outage hits queries on them as well as new connections.
    await Promise.all(Array.from({ length: 8 }, () => introspectAt(server.url, client, before1.access_token)));
    await down();
    const answers: { kind: string; answer: Answer }[] = [];
    const readiness: Answer[] = [];
    const authorizations: (Answer & { location: string | null })[] = [];
    /** A request that got no answer at all (hung past HANG_MS, or reset) fails the test, naming its kind. */
    const named = async <T extends Answer>(kind: string, call: Promise<T>) => {
      try {
        return { kind, answer: await call };
      } catch (err) {
        throw new Error(`${name}: ${kind} got no answer: ${(err as Error).message}`);
      }
    };
    const outageEnds = Date.now() + seconds * 1000;
    for (let round = 0; Date.now() < outageEnds; round++) {
      const batch = await Promise.all([
        named('code exchange', exchange(server.url, client, during[round % during.length]!, REDIRECT)),
        named('refresh', refreshAt(server.url, client, before1.refresh_token)),
        named('introspect', introspectAt(server.url, client, before1.access_token)),
        named('revoke', revokeAt(server.url, client, before1.refresh_token)),
        named('readyz', getJson(server.url, '/readyz')),
        named('authorize', authorizeAt(server.url, client.clientId)),
      ]);
      answers.push(...batch.filter((b) => b.kind !== 'readyz' && b.kind !== 'authorize'));
      readiness.push(batch[4]!.answer);
      authorizations.push(batch[5]!.answer);
      await sleep(50);
    }

    const latencies = answers.map((a) => a.answer.ms);
    console.log(
      `${name}: ${answers.length + readiness.length + authorizations.length} requests in ${seconds} s, p50 ${percentile(latencies, 50)} ms, p99 ${percentile(latencies, 99)} ms, max ${Math.max(...latencies)} ms`,
    );
    for (const { kind, answer } of answers) {
      // Never a token the database did not store, never an unchecked `active: true`, never a revoke reported done.
      assert.equal(answer.status, 503, `${kind} answered ${answer.status} ${JSON.stringify(answer.body)} while the database was down`);
      assert.equal(answer.body.error, 'temporarily_unavailable', kind);
      assert.match(answer.retryAfter ?? '', /^\d+$/, `${kind} without Retry-After`);
      assert.equal(answer.body.access_token, undefined);
      assert.notEqual(answer.body.active, true);
      assert.ok(answer.ms < boundMs, `${kind} took ${answer.ms} ms`);
    }
    for (const r of readiness) {
      assert.equal(r.status, 503, '/readyz must fail while the database is down');
      assert.match(r.retryAfter ?? '', /^\d+$/);
      assert.ok(r.ms < boundMs, `/readyz took ${r.ms} ms`);
    }
    for (const a of authorizations) {
      // The client (and so its redirect URI) cannot be checked: an error page, or, once verified,
      // a redirect carrying temporarily_unavailable (RFC 6749 §4.1.2.1); never a sign-in page.
      assert.ok(a.ms < boundMs, `/authorize took ${a.ms} ms`);
      if (a.status === 302) assert.match(a.location ?? '', /^https:\/\/app\.example\/cb\?.*error=(temporarily_unavailable|server_error)/);
      else assert.equal(a.status, 503, `/authorize answered ${a.status}`);
    }
    assert.equal((await getJson(server.url, '/healthz')).status, 200, 'the process itself stays alive');

    await up();
    const restored = Date.now();
    let resumed: Answer | undefined;
    while (Date.now() - restored < RECOVERY_MS) {
      const answer = await exchange(server.url, client, afterwards, REDIRECT);
      if (answer.status === 200) {
        resumed = answer;
        break;
      }
      assert.equal(answer.status, 503, JSON.stringify(answer.body));
      await sleep(100);
    }
    const recoveryMs = Date.now() - restored;
    console.log(`${name}: service resumed ${recoveryMs} ms after the database came back`);
    assert.ok(resumed, `no code exchange succeeded within ${RECOVERY_MS} ms of the database's return`);
    assert.equal((await getJson(server.url, '/readyz')).status, 200);

    // Everything from before the outage still works; nothing refused during it took effect.
    assert.equal((await introspectAt(server.url, client, before1.access_token)).body.active, true);
    const rotated = await refreshAt(server.url, client, before1.refresh_token);
    assert.equal(rotated.status, 200, 'a refresh token whose revocation was refused (503) must still work');
    for (const code of during) assert.equal((await exchange(server.url, client, code, REDIRECT)).status, 200, 'a code refused with 503 is still unused');
    const fresh = resumed.body as unknown as TokenSet;
    assert.equal((await introspectAt(server.url, client, fresh.access_token)).body.active, true);
    assert.equal((await revokeAt(server.url, client, fresh.access_token)).status, 200);
    assert.equal((await introspectAt(server.url, client, fresh.access_token)).body.active, false);
  }

  it('stopped, then started: 503 + Retry-After at once while down, service back within seconds', async () => {
    await outage('database stopped', scenarios[0]!, () => cluster.stop(), () => cluster.start(), 4, BOUND_MS);
  });

  it('frozen (accepts connections, never answers), then thawed: answers still come within bounds (R7)', async () => {
    await outage('database frozen', scenarios[1]!, () => cluster.freeze(), () => cluster.thaw(), 8, FROZEN_BOUND_MS);
  });
});

/** GET /authorize for a valid request, without following the redirect. */
async function authorizeAt(base: string, clientId: string): Promise<Answer & { location: string | null }> {
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: REDIRECT,
    scope: 'openid',
    state: 'outage',
    code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    code_challenge_method: 'S256',
  });
  const started = Date.now();
  const res = await fetch(`${base}/authorize?${query}`, { redirect: 'manual', signal: AbortSignal.timeout(HANG_MS) });
  await res.arrayBuffer();
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: {}, ms: Date.now() - started, location: res.headers.get('location') };
}
