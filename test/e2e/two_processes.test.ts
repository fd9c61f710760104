/**
 * Two Tessera processes on one PostgreSQL (issue 2, "done when"): a token issued by one works on
 * the other, and a revoke answered by one is refused by the other within one second — through
 * LISTEN/NOTIFY alone, since both poll only once a minute here.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects } from '../support/app.ts';
import { type Deps } from '../../src/deps.ts';
import { createClient, createUser, type TestClient } from '../support/fixtures.ts';
import { basic, issueTestCode } from '../support/codes.ts';
import type { ServerProcess } from '../support/processes.ts';
import { startTwoNodes, type TwoNodes } from '../support/two_nodes.ts';

// describe.skip is describe with { skip: true }; written as an option, the linter sees node:test's describe.
const skip = !dialects().includes('postgres');

describe('two server processes on one PostgreSQL', { skip }, () => {
  let nodes: TwoNodes;
  let seed: Deps;
  let a: ServerProcess;
  let b: ServerProcess;
  let client: TestClient;

  before(async () => {
    nodes = await startTwoNodes('two', { SYNC_INTERVAL_MS: '60000' });
    ({ a, b, seed } = nodes);
    client = await createClient(seed, { redirectUris: ['https://app.example/cb'] });
  });

  after(() => nodes?.close());

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
