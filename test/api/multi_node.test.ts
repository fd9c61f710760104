import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { databaseOf, dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createClient, createUser } from '../support/fixtures.ts';
import { mintAccessToken } from '../support/tokens.ts';

// Two Tessera nodes on one database: a revoke on one is enforced by the other within a second
// (PostgreSQL: LISTEN/NOTIFY; both dialects: the poll that backs it up).
for (const dialect of dialects()) {
  describe(`two nodes on one ${dialect} database`, () => {
    let a: TestApp;
    let b: TestApp;
    before(async () => {
      a = await startTestApp({ dialect });
      b = await startTestApp({ database: databaseOf(a), env: { SYNC_INTERVAL_MS: dialect === 'postgres' ? '60000' : '200' } });
    });
    after(async () => {
      await b.close();
      await a.close();
    });

    it('share signing keys: a token from one node is accepted by the other', async () => {
      assert.equal(a.deps.keys.keys.currentKid, b.deps.keys.keys.currentKid);
    });

    it('a revoke on node A is refused on node B within one second', async () => {
      const alice = await createUser(a.deps, `alice-${dialect}@example.com`);
      const client = await createClient(a.deps);
      const grant = await a.deps.stores.grants.approve(alice.id, client.clientId, ['openid'], a.clock.now());
      const token = await mintAccessToken(a.deps, { sub: alice.id, gid: grant.id });
      const call = () => b.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } });
      assert.equal((await call()).statusCode, 200);

      const started = Date.now();
      await a.deps.revoker.revokeGrant(grant.id, 'test');
      let status = 200;
      while (Date.now() - started < 1000) {
        status = (await call()).statusCode;
        if (status === 401) break;
        await new Promise((r) => setTimeout(r, 10));
      }
      const elapsed = Date.now() - started;
      assert.equal(status, 401, `still accepted after ${elapsed} ms`);
      assert.ok(elapsed < 1000);
    });
  });
}
