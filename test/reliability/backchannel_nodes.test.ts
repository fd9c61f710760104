/**
 * Two Tessera nodes on one database deliver each back-channel logout token once (issue 19): both
 * run the outbound sender, polling every 50 ms, and one sign-out queues a token for each of twelve
 * apps. The rows are taken under a lease (FOR UPDATE SKIP LOCKED on PostgreSQL, the single writer
 * on SQLite), so the receiver — which validates every token and refuses a `jti` seen before — gets
 * each token exactly once, and every row ends delivered with one audit event.
 *
 * The nodes are two Deps in this process, each with its own sender id and database pool, as two
 * servers have; test/reliability/mail_nodes runs the same loop (jobs/leased_sender.ts) across two
 * processes.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import { databaseOf, dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createClient, createUser, type TestClient } from '../support/fixtures.ts';
import { authorize, Browser } from '../support/browser.ts';
import { startFlow } from '../support/openid_client.ts';
import { LogoutReceiver } from '../support/logout_receiver.ts';
import { SqlAuditLog } from '../../src/persistence/stores/audit_log.ts';

const REDIRECT = 'https://rp.example/callback';
const EMAIL = 'carol@example.com';
const APPS = 12;
const FAST = { OUTBOUND_POLL_MS: '50', OUTBOUND_RETRY_SECONDS: '1' };

for (const dialect of dialects()) {
  describe(`two nodes deliver each logout token once (${dialect})`, () => {
    let a: TestApp;
    let b: TestApp;
    let receiver: LogoutReceiver;

    before(async () => {
      a = await startTestApp({ dialect, listen: true, env: FAST });
      // Every node of one deployment has the same PUBLIC_URL, so the same `iss`.
      b = await startTestApp({ database: databaseOf(a), env: { ...FAST, PUBLIC_URL: a.issuer } });
      await createUser(a.deps, EMAIL, 'Carol');
      receiver = new LogoutReceiver(a, 30);
      await receiver.start();
    });
    after(async () => {
      await b.close();
      await a.close();
      await receiver.close();
    });

    async function signIn(as: TestClient, browser: Browser): Promise<void> {
      const config = await oidc.discovery(new URL(a.issuer), as.clientId, { client_secret: as.clientSecret }, undefined, { execute: [oidc.allowInsecureRequests] });
      const { url, verifier, state, nonce } = await startFlow(config, REDIRECT);
      const callback = await authorize(a, Object.fromEntries(url.searchParams), { browser, email: EMAIL, approve: true });
      await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce, idTokenExpected: true });
    }

    it('one sign-out, twelve apps, two senders: twelve tokens, none twice', async () => {
      const browser = new Browser(a);
      const apps: TestClient[] = [];
      for (let i = 0; i < APPS; i++) {
        const rp = await createClient(a.deps, { name: `RP ${i}`, redirectUris: [REDIRECT], backchannelLogoutUri: receiver.url(`/rp${i}`) });
        apps.push(rp);
        await signIn(rp, browser);
      }
      const page = await browser.get('/logout');
      const res = await browser.submit(page, /^\/logout\/confirm$/);
      assert.equal(res.statusCode, 303);

      const deadline = Date.now() + 10_000;
      while (receiver.received.length < APPS && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      // Time for a second delivery of any token, if the lease let one through.
      await new Promise((r) => setTimeout(r, 500));
      assert.deepEqual(receiver.problems, [], 'no token refused (a jti seen twice is refused)');
      assert.equal(receiver.received.length, APPS);
      assert.deepEqual(new Set(receiver.received.map((r) => r.claims.aud)), new Set(apps.map((rp) => rp.clientId)));

      const rows = await a.deps.stores.outboundDeliveries.list({ limit: 100 });
      assert.equal(rows.length, APPS);
      assert.ok(rows.every((row) => row.status === 'delivered' && row.attempts === 1), JSON.stringify(rows.map((r) => [r.status, r.attempts])));
      // Both senders took part: the first takes a batch of ten, the other the rest while it sends.
      const delivered = async (t: TestApp) => (await t.deps.metrics.outboundDeliveries.get()).values.filter((v) => v.labels.outcome === 'delivered').reduce((n, v) => n + v.value, 0);
      const [byA, byB] = [await delivered(a), await delivered(b)];
      assert.equal(byA + byB, APPS);
      assert.ok(byA > 0 && byB > 0, `node a delivered ${byA}, node b ${byB}`);
      const events = await new SqlAuditLog(a.deps.database.db).list({ type: 'backchannel_logout.delivered', limit: 100 });
      assert.equal(events.length, APPS);
    });
  });
}
