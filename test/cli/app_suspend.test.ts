/**
 * Issue 21, the kill switch, through the real CLI while a server process runs on the same
 * database (SQLite: the `changes` table; PostgreSQL: NOTIFY). The server polls only once a minute
 * here, so only the change feed can make it refuse within the one-second deadline.
 *
 * Suspended: the API answers 401 app_suspended, /userinfo 401, introspection {"active":false},
 * refresh and codes invalid_grant, /authorize a plain page and no code, /par and
 * /device_authorization invalid_client, /revoke still works. Unsuspended: the service refreshes
 * again, and the access token it held before stays refused.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects } from '../support/app.ts';
import { loadConfig } from '../../src/config/config.ts';
import { type Deps } from '../../src/deps.ts';
import { createDeps } from '../../src/create_deps.ts';
import { createLogger } from '../../src/ops/logger.ts';
import { createClient, createUser, type TestClient } from '../support/fixtures.ts';
import { basic, issueTestCode } from '../support/codes.ts';
import { startServerProcess, type ServerProcess } from '../support/processes.ts';
import type { User } from '../../src/domain/users.ts';
import { CliTarget, assertRefused } from './cli.ts';

const REDIRECT = 'https://app.example/cb';
const DEADLINE_MS = 1000;

for (const dialect of dialects()) describe(`tessera app suspend / unsuspend reach a running server (${dialect})`, () => {
  let cli: CliTarget;
  let server: ServerProcess;
  let seed: Deps;
  let client: TestClient;
  /** A resource server that introspects the suspended app's tokens. */
  let rs: TestClient;
  let alice: User;

  before(async () => {
    cli = await CliTarget.create(dialect);
    await cli.json(['db', 'migrate']);
    server = await startServerProcess(cli.env({ SYNC_INTERVAL_MS: '60000' }));
    seed = await createDeps(loadConfig({ ...cli.env(), PUBLIC_URL: server.url, LOG_LEVEL: 'silent' }), { log: createLogger('silent') });
    client = await createClient(seed, { redirectUris: [REDIRECT] });
    rs = await createClient(seed, { name: 'Resource server' });
    alice = await createUser(seed, 'alice@example.com', 'alice', { verified: true });
  });

  after(async () => {
    await server?.stop();
    await seed?.close();
    await cli?.close();
  });

  function post(path: string, fields: Record<string, string>, as: TestClient = client) {
    return fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(as.clientId, as.clientSecret!) },
      body: new URLSearchParams(fields).toString(),
    });
  }

  async function tokens(): Promise<{ access_token: string; refresh_token: string }> {
    const issued = await issueTestCode(seed, { client, user: alice, scopes: ['openid', 'offline_access'], redirectUri: REDIRECT });
    const res = await post('/token', { grant_type: 'authorization_code', code: issued.code, code_verifier: issued.verifier, redirect_uri: REDIRECT });
    assert.equal(res.status, 200, await res.clone().text());
    return (await res.json()) as { access_token: string; refresh_token: string };
  }

  async function api(token: string): Promise<{ status: number; code?: string }> {
    const res = await fetch(`${server.url}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } });
    const body = (await res.json()) as { code?: string };
    return { status: res.status, ...(body.code === undefined ? {} : { code: body.code }) };
  }

  /** Polls until `check` holds; fails at the deadline. */
  async function within(label: string, check: () => Promise<boolean>): Promise<void> {
    const started = Date.now();
    for (;;) {
      if (await check()) return;
      assert.ok(Date.now() - started < DEADLINE_MS, `${label}: not reflected within ${DEADLINE_MS} ms\n${server.output()}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  function authorizeUrl(): string {
    const q = new URLSearchParams({
      response_type: 'code',
      client_id: client.clientId,
      redirect_uri: REDIRECT,
      scope: 'openid',
      state: 's1',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
    });
    return `${server.url}/authorize?${q}`;
  }

  it('refuses a reason that is missing, empty or too long, and an unknown client id', async () => {
    assertRefused(await cli.run(['app', 'suspend', '--client-id', client.clientId]), 2, /--reason/);
    assertRefused(await cli.run(['app', 'suspend', '--client-id', client.clientId, '--reason', '  ']), 2, /--reason/);
    assertRefused(await cli.run(['app', 'suspend', '--client-id', client.clientId, '--reason', 'x'.repeat(501)]), 2, /--reason/);
    assertRefused(await cli.run(['app', 'suspend', '--client-id', 'nope', '--reason', 'r']), 1, /no app has client_id nope/);
    assertRefused(await cli.run(['app', 'unsuspend', '--client-id', client.clientId]), 1, /is not suspended/);
    assertRefused(await cli.run(['app', 'unsuspend', '--client-id', 'nope']), 1, /no app has client_id nope/);
    assertRefused(await cli.run(['app', 'unsuspend']), 2, /--client-id/);
    // Nothing was suspended by any of these.
    const held = await tokens();
    assert.equal((await api(held.access_token)).status, 200);
  });

  it('suspend: every path refuses within a second; unsuspend: refresh works again, the old access token stays dead', async () => {
    const held = await tokens();
    const pending = await issueTestCode(seed, { client, user: alice, scopes: ['openid'], redirectUri: REDIRECT });
    assert.equal((await api(held.access_token)).status, 200);
    // The server has the client cached now (authorize reads it from the cache).
    assert.equal((await fetch(authorizeUrl(), { redirect: 'manual' })).status !== 403, true);

    const out = await cli.json<{ client_id: string; suspended_at: number; reason: string }>(['app', 'suspend', '--client-id', client.clientId, '--reason', 'Phishing reported; under review']);
    assert.equal(out.client_id, client.clientId);
    assert.equal(out.reason, 'Phishing reported; under review');

    await within('API', async () => (await api(held.access_token)).status === 401);
    assert.deepEqual(await api(held.access_token), { status: 401, code: 'app_suspended' });
    const userinfo = await fetch(`${server.url}/userinfo`, { headers: { authorization: `Bearer ${held.access_token}` } });
    assert.equal(userinfo.status, 401);
    const introspected = await post('/introspect', { token: held.access_token }, rs);
    assert.equal(introspected.status, 200);
    assert.deepEqual(await introspected.json(), { active: false });

    const refresh = await post('/token', { grant_type: 'refresh_token', refresh_token: held.refresh_token });
    assert.equal(refresh.status, 400);
    assert.equal(((await refresh.json()) as { error: string }).error, 'invalid_grant');
    const code = await post('/token', { grant_type: 'authorization_code', code: pending.code, code_verifier: pending.verifier, redirect_uri: REDIRECT });
    assert.equal(code.status, 400);
    assert.equal(((await code.json()) as { error: string }).error, 'invalid_grant');

    const page = await fetch(authorizeUrl(), { redirect: 'manual' });
    assert.equal(page.status, 403);
    assert.equal(page.headers.get('location'), null);
    assert.match(await page.text(), /This service has been suspended by the platform/);

    for (const path of ['/par', '/device_authorization']) {
      const res = await post(path, { response_type: 'code', redirect_uri: REDIRECT, scope: 'openid', code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256' });
      assert.equal(res.status, 401, path);
      assert.equal(((await res.json()) as { error: string }).error, 'invalid_client', path);
    }
    // A suspended app can still give access up.
    assert.equal((await post('/revoke', { token: 'tsr_unknown' })).status, 200);
    // As introspector, a suspended confidential client is refused too.
    const asCaller = await post('/introspect', { token: held.access_token });
    assert.equal(asCaller.status, 401);

    // Times are whole seconds, and a suspension lifted within its own second spares the tokens of
    // that second (domain/app_suspensions.ts): an operator's review takes longer than that.
    while (Math.floor(Date.now() / 1000) <= out.suspended_at) await new Promise((r) => setTimeout(r, 50));
    const lifted = await cli.json<{ suspended: boolean; suspended_at: number }>(['app', 'unsuspend', '--client-id', client.clientId]);
    assert.equal(lifted.suspended, false);
    assert.equal(lifted.suspended_at, out.suspended_at);

    // The refresh token (never used while suspended) works again.
    let refreshed: { access_token: string; refresh_token: string } | undefined;
    await within('refresh after unsuspend', async () => {
      const res = await post('/token', { grant_type: 'refresh_token', refresh_token: held.refresh_token });
      if (res.status !== 200) return false;
      refreshed = (await res.json()) as { access_token: string; refresh_token: string };
      return true;
    });
    assert.equal((await api(refreshed!.access_token)).status, 200);
    // The access token from before the suspension stays refused, as plain invalid_token.
    assert.deepEqual(await api(held.access_token), { status: 401, code: 'invalid_token' });
    const again = await post('/introspect', { token: held.access_token }, rs);
    assert.deepEqual(await again.json(), { active: false });
    assert.notEqual((await fetch(authorizeUrl(), { redirect: 'manual' })).status, 403);
  });

  it('records both in the audit log with the actor via cli', async () => {
    const rows = await seed.database.db.selectFrom('audit_events').select(['type', 'app_id', 'detail']).where('app_id', '=', client.clientId).where('type', 'like', 'app.%suspended').orderBy('id').execute();
    assert.deepEqual(
      rows.map((r) => [r.type, JSON.parse(r.detail) as unknown]),
      [
        ['app.suspended', { via: 'cli', reason: 'Phishing reported; under review' }],
        ['app.unsuspended', { via: 'cli' }],
      ],
    );
  });
});
