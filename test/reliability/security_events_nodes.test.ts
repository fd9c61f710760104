/**
 * Two real server processes on one PostgreSQL database (test/support/two_nodes.ts) deliver each
 * security event once (issue 19): twelve services each revoke their refresh token at /revoke on
 * node a, so twelve CAEP session-revoked events are written (each in its revocation's
 * transaction) while both nodes' senders poll every 50 ms. A loopback receiver validates every SET
 * against the JWKS and refuses a `jti` seen before: each arrives once, each row was attempted once,
 * and no delivery is in both processes' logs.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { dialects } from '../support/app.ts';
import { createClient, createUser, type TestClient } from '../support/fixtures.ts';
import { basic, issueTestCode } from '../support/codes.ts';
import type { ServerProcess } from '../support/processes.ts';
import { startTwoNodes, type TwoNodes } from '../support/two_nodes.ts';
import { SsfReceiver } from '../support/ssf_receiver.ts';

const skip = !dialects().includes('postgres');
const REDIRECT = 'https://app.example/cb';
const N = 12;

/** Ids of the deliveries a process's log says it delivered (jobs/outbound_sender.ts). */
function deliveredBy(server: ServerProcess): string[] {
  return server
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { msg?: string; delivery?: string })
    .filter((e) => e.msg === 'security event delivered' && typeof e.delivery === 'string')
    .map((e) => e.delivery!);
}

describe('two server processes on one PostgreSQL deliver each security event once', { skip }, () => {
  let nodes: TwoNodes;
  let receiver: SsfReceiver;

  before(async () => {
    nodes = await startTwoNodes('ssf', { OUTBOUND_POLL_MS: '50', OUTBOUND_RETRY_SECONDS: '1', LOG_LEVEL: 'info' });
    // Both sign as the shared PUBLIC_URL; the keys are read from node a.
    receiver = new SsfReceiver({ issuer: nodes.env.PUBLIC_URL!, jwksUrl: `${nodes.a.url}/.well-known/jwks.json` }, 20);
    await receiver.start();
  });
  after(async () => {
    await nodes?.close();
    await receiver?.close();
  });

  it(`${N} revocations at node a: ${N} events, none twice`, async () => {
    const { a, b, seed } = nodes;
    const alice = await createUser(seed, 'alice@example.com', 'Alice');
    const services: { client: TestClient; refresh: string }[] = [];
    for (let i = 0; i < N; i++) {
      const client = await createClient(seed, { name: `RP ${i}`, redirectUris: [REDIRECT], ssfEndpointUrl: receiver.url(`/rp${i}`) });
      receiver.audiences.set(`/rp${i}`, client.clientId);
      const issued = await issueTestCode(seed, { client, user: alice, scopes: ['openid', 'offline_access'], redirectUri: REDIRECT });
      const res = await fetch(`${a.url}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(client.clientId, client.clientSecret!) },
        body: new URLSearchParams({ grant_type: 'authorization_code', code: issued.code, code_verifier: issued.verifier, redirect_uri: REDIRECT }).toString(),
      });
      assert.equal(res.status, 200);
      services.push({ client, refresh: ((await res.json()) as { refresh_token: string }).refresh_token });
    }
    for (const { client, refresh } of services) {
      const res = await fetch(`${a.url}/revoke`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(client.clientId, client.clientSecret!) },
        body: new URLSearchParams({ token: refresh, token_type_hint: 'refresh_token' }).toString(),
      });
      assert.equal(res.status, 200);
    }

    const deadline = Date.now() + 20_000;
    while (receiver.received.length < N && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    // Time for a second delivery of any event, if a lease let one through.
    await new Promise((r) => setTimeout(r, 1000));
    assert.deepEqual(receiver.problems, [], 'no SET refused (a jti seen twice is refused)');
    assert.equal(receiver.received.length, N);
    assert.deepEqual(new Set(receiver.received.map((r) => r.claims.aud)), new Set(services.map((s) => s.client.clientId)));
    assert.ok(receiver.received.every((r) => r.type === 'https://schemas.openid.net/secevent/caep/event-type/session-revoked'));

    const rows = await seed.stores.outboundDeliveries.list({ limit: 100 });
    assert.equal(rows.length, N);
    assert.ok(rows.every((row) => row.kind === 'security_event' && row.status === 'delivered' && row.attempts === 1), JSON.stringify(rows.map((r) => [r.status, r.attempts])));
    const [first, second] = [deliveredBy(a), deliveredBy(b)];
    assert.deepEqual(first.filter((id) => second.includes(id)), [], 'no delivery sent by both processes');
  });
});
