/**
 * Issue 21, "done when": a service suspended with the CLI against one PostgreSQL database is
 * refused by both server processes on it within one second — the API (401 app_suspended), refresh
 * (invalid_grant) and /authorize (the plain page, no code) — through LISTEN/NOTIFY alone, since
 * both poll only once a minute here. Then it is unsuspended, and the service refreshes again on the
 * other process while its old access token stays refused on both. (SQLite, through the CLI while a
 * server runs: test/cli/app_suspend.test.ts.)
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { dialects } from '../support/app.ts';
import { type Deps } from '../../src/deps.ts';
import { createClient, createUser, type TestClient } from '../support/fixtures.ts';
import { basic, issueTestCode } from '../support/codes.ts';
import type { ServerProcess } from '../support/processes.ts';
import { startTwoNodes, type TwoNodes } from '../support/two_nodes.ts';
import { runCli } from '../cli/cli.ts';

const skip = !dialects().includes('postgres');
const REDIRECT = 'https://app.example/cb';
const DEADLINE_MS = 1000;

describe('suspend and unsuspend reach two server processes on one PostgreSQL', { skip }, () => {
  let nodes: TwoNodes;
  let seed: Deps;
  let a: ServerProcess;
  let b: ServerProcess;
  let client: TestClient;

  before(async () => {
    nodes = await startTwoNodes('suspend', { SYNC_INTERVAL_MS: '60000' });
    ({ a, b, seed } = nodes);
    client = await createClient(seed, { redirectUris: [REDIRECT] });
  });

  after(() => nodes?.close());

  const cli = async (args: string[]) => {
    const result = await runCli(args, { PATH: process.env.PATH ?? '', DATA_DIR: tmpdir(), ...nodes.env });
    assert.equal(result.code, 0, result.stderr);
  };
  const token = (server: ServerProcess, fields: Record<string, string>) =>
    fetch(`${server.url}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(client.clientId, client.clientSecret!) },
      body: new URLSearchParams(fields).toString(),
    });
  const api = async (server: ServerProcess, accessToken: string) => {
    const res = await fetch(`${server.url}/api/v1/me`, { headers: { authorization: `Bearer ${accessToken}` } });
    return { status: res.status, code: ((await res.json()) as { code?: string }).code };
  };
  const authorize = async (server: ServerProcess) => {
    const q = new URLSearchParams({ response_type: 'code', client_id: client.clientId, redirect_uri: REDIRECT, scope: 'openid', code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256' });
    const res = await fetch(`${server.url}/authorize?${q}`, { redirect: 'manual' });
    return { status: res.status, text: await res.text() };
  };
  async function within(label: string, check: () => Promise<boolean>): Promise<number> {
    const started = Date.now();
    for (;;) {
      if (await check()) return Date.now() - started;
      assert.ok(Date.now() - started < DEADLINE_MS, `${label}: not refused within ${DEADLINE_MS} ms`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  it('refused on both within one second for the API, refresh and /authorize; unsuspended, it refreshes again', async () => {
    const alice = await createUser(seed, 'alice@example.com');
    const issued = await issueTestCode(seed, { client, user: alice, scopes: ['openid', 'offline_access'], redirectUri: REDIRECT });
    const first = await token(a, { grant_type: 'authorization_code', code: issued.code, code_verifier: issued.verifier, redirect_uri: REDIRECT });
    assert.equal(first.status, 200);
    let tokens = (await first.json()) as { access_token: string; refresh_token: string };
    const old = tokens.access_token;
    for (const server of [a, b]) {
      assert.equal((await api(server, old)).status, 200);
      // Both processes have the client cached before the suspension.
      assert.notEqual((await authorize(server)).status, 403);
    }

    await cli(['app', 'suspend', '--client-id', client.clientId, '--reason', 'Malicious: exfiltrating work items']);
    const exited = Date.now();
    for (const server of [b, a]) {
      await within('API', async () => (await api(server, old)).status === 401);
      assert.equal((await api(server, old)).code, 'app_suspended');
      const page = await authorize(server);
      assert.equal(page.status, 403);
      assert.match(page.text, /This service has been suspended by the platform/);
      const refresh = await token(server, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token });
      assert.equal(refresh.status, 400);
      assert.equal(((await refresh.json()) as { error: string }).error, 'invalid_grant');
    }
    assert.ok(Date.now() - exited < DEADLINE_MS, `all refused ${Date.now() - exited} ms after the CLI exited`);

    await cli(['app', 'unsuspend', '--client-id', client.clientId]);
    await within('refresh on B after unsuspend', async () => {
      const res = await token(b, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token });
      if (res.status !== 200) return false;
      tokens = (await res.json()) as { access_token: string; refresh_token: string };
      return true;
    });
    for (const server of [a, b]) {
      assert.equal((await api(server, tokens.access_token)).status, 200);
      assert.deepEqual(await api(server, old), { status: 401, code: 'invalid_token' });
      assert.notEqual((await authorize(server)).status, 403);
    }
  });
});
