/**
 * The per-process cache of client credentials at /token (src/oauth/client_auth/client_cache.ts):
 * a repeated client is not read again, yet a secret revoked or expired is refused at once —
 * on this node and, through the change feed, on another node sharing the database (SECURITY 15/16).
 * /introspect reads fresh so it fails closed in a database outage (SECURITY R3).
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { databaseOf, dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createClient, createUser, type TestClient } from '../support/fixtures.ts';
import { exchangeCode, issueTestCode, postForm } from '../support/codes.ts';
import { digest } from '../../src/crypto/digest.ts';
import { randomToken } from '../../src/crypto/random.ts';
import type { User } from '../../src/domain/users.ts';

async function waitFor(check: () => Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return check();
}

for (const dialect of dialects()) {
  describe(`client credentials cache (${dialect})`, () => {
    let t: TestApp;
    let alice: User;

    before(async () => {
      t = await startTestApp({ dialect });
      alice = await createUser(t.deps, 'alice@example.com');
    });
    after(() => t.close());

    const exchange = async (client: TestClient) => exchangeCode(t, client, await issueTestCode(t.deps, { client, user: alice, scopes: ['openid'] }));

    it('a repeated client is read once; a revoked secret is refused on the very next request', async () => {
      const c = await createClient(t.deps);
      assert.equal((await exchange(c)).statusCode, 200);
      const loads = t.deps.clients.loads;
      for (let i = 0; i < 3; i++) assert.equal((await exchange(c)).statusCode, 200);
      assert.equal(t.deps.clients.loads, loads, 'cache hits read nothing');

      const [secret] = await t.deps.stores.apps.liveSecrets(c.clientId, t.deps.clock.now());
      assert.ok(await t.deps.stores.apps.revokeSecret(c.clientId, secret!.id, t.deps.clock.now()));
      const refused = await exchange(c);
      assert.equal(refused.statusCode, 401, refused.body);
      assert.equal(refused.json().error, 'invalid_client');
    });

    it('a new secret works at once, and an expiring secret stops at its expiry without a reload', async () => {
      const c = await createClient(t.deps);
      assert.equal((await exchange(c)).statusCode, 200);
      const secret = randomToken('clientSecret');
      const now = t.deps.clock.now();
      assert.ok(await t.deps.stores.apps.addSecret(c.clientId, digest(secret), now + 5, 2, now));
      const second: TestClient = { ...c, clientSecret: secret };
      assert.equal((await exchange(second)).statusCode, 200);
      const loads = t.deps.clients.loads;
      t.clock.advance(6);
      assert.equal((await exchange(second)).statusCode, 401);
      assert.equal((await exchange(c)).statusCode, 200, 'the other secret still works');
      assert.equal(t.deps.clients.loads, loads, 'expiry is checked on the cached entry');
    });

    it('deleting the app refuses its client at once', async () => {
      const c = await createClient(t.deps);
      assert.equal((await exchange(c)).statusCode, 200);
      const issued = await issueTestCode(t.deps, { client: c, user: alice, scopes: ['openid'] });
      await t.deps.stores.apps.delete(c.clientId);
      assert.equal((await exchangeCode(t, c, issued)).statusCode, 401);
    });

    it('/introspect reads the client fresh on every call (fails closed when the database is down)', async () => {
      const c = await createClient(t.deps);
      const loads = t.deps.clients.loads;
      for (let i = 0; i < 3; i++) assert.equal((await postForm(t, '/introspect', c, { token: 'x' })).statusCode, 200);
      assert.equal(t.deps.clients.loads, loads + 3);
    });

    if (dialect === 'postgres') {
      // The change feed (NOTIFY) delivers in milliseconds; 3 s leaves room for a loaded machine and
      // is still far inside the cache's 30 s TTL, so only the feed can make this pass.
      it('a secret revoked on another node is refused here within seconds, long before the TTL (change feed)', async () => {
        const other = await startTestApp({ database: databaseOf(t) });
        try {
          const c = await createClient(t.deps);
          assert.equal((await exchange(c)).statusCode, 200);
          const [secret] = await other.deps.stores.apps.liveSecrets(c.clientId, other.deps.clock.now());
          const revokedAt = Date.now();
          assert.ok(await other.deps.stores.apps.revokeSecret(c.clientId, secret!.id, other.deps.clock.now()));
          // Each attempt spends a fresh code, so a refusal is the client's, not the code's.
          assert.ok(await waitFor(async () => (await exchange(c)).statusCode === 401, 3000), 'still accepted 3 s after the revoke');
          assert.ok(Date.now() - revokedAt < 3000);
        } finally {
          await other.close();
        }
      });
    }
  });
}
