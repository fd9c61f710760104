/** POST /revoke (RFC 7009; SECURITY 20, 17, 42). */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createClient, createParties, createUser, type TestClient } from '../support/fixtures.ts';
import { exchangeCode, introspect, issueTestCode, obtainTokens, postForm, refresh } from '../support/codes.ts';
import type { User } from '../../src/domain/users.ts';

interface Pair {
  access_token: string;
  refresh_token: string;
}

for (const dialect of dialects()) {
  describe(`revocation (${dialect})`, () => {
    let t: TestApp;
    let alice: User;
    let c1: TestClient;
    let c2: TestClient;
    let p1: TestClient;

    before(async () => {
      t = await startTestApp({ dialect });
      ({ alice, c1, c2, p1 } = await createParties(t.deps));
    });
    after(() => t.close());

    const start = (client = c1): Promise<Pair> => obtainTokens(t, { client, user: alice, scopes: ['openid', 'offline_access'] });

    async function revoke(client: TestClient | null, form: Record<string, string>) {
      const res = await postForm(t, '/revoke', client, form);
      return res;
    }

    function assertRevoked200(res: Awaited<ReturnType<typeof revoke>>) {
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.body, '');
      assert.equal(res.headers['cache-control'], 'no-store');
      assert.equal(res.headers.pragma, 'no-cache');
    }

    it('revoking RT1 gives 200; RT1 then gives invalid_grant and AT1 is inactive, at /userinfo too', async () => {
      const pair = await start();
      assertRevoked200(await revoke(c1, { token: pair.refresh_token, token_type_hint: 'refresh_token' }));
      const res = await refresh(t, c1, pair.refresh_token);
      assert.equal(res.json().error, 'invalid_grant');
      assert.deepEqual(await introspect(t, c1, pair.access_token), { active: false });
      const userinfo = await t.app.inject({ method: 'GET', url: '/userinfo', headers: { authorization: `Bearer ${pair.access_token}` } });
      assert.equal(userinfo.statusCode, 401);
    });

    it('revoking an AT denylists it alone; the hint refresh_token does not matter', async () => {
      const pair = await start();
      assertRevoked200(await revoke(c1, { token: pair.access_token, token_type_hint: 'refresh_token' }));
      assert.deepEqual(await introspect(t, c1, pair.access_token), { active: false });
      // The grant lives on: the refresh token still works.
      const res = await refresh(t, c1, pair.refresh_token);
      assert.equal(res.statusCode, 200, res.body);
    });

    it('a public client revokes its own RT with client_id alone', async () => {
      const pair = await start(p1);
      assertRevoked200(await revoke(p1, { token: pair.refresh_token }));
      assert.equal((await refresh(t, p1, pair.refresh_token)).json().error, 'invalid_grant');
    });

    it('revoking garbage, an unknown RT or an unknown hint gives 200', async () => {
      assertRevoked200(await revoke(c1, { token: 'garbage' }));
      assertRevoked200(await revoke(c1, { token: 'tsr_' + 'B'.repeat(43) }));
      assertRevoked200(await revoke(c1, { token: 'eyJhbGciOiJub25lIn0.e30.', token_type_hint: 'something_else' }));
    });

    it("C2 revoking C1's tokens gets 200 and the tokens stay active", async () => {
      const pair = await start();
      assertRevoked200(await revoke(c2, { token: pair.refresh_token }));
      assertRevoked200(await revoke(c2, { token: pair.access_token }));
      assert.equal((await introspect(t, c1, pair.access_token)).active, true);
      assert.equal((await refresh(t, c1, pair.refresh_token)).statusCode, 200);
    });

    it('an expired AT is accepted with 200 and needs nothing', async () => {
      const pair = await start();
      t.clock.advance(t.config.ttl.accessToken + 1);
      assertRevoked200(await revoke(c1, { token: pair.access_token }));
    });

    it('no client authentication gets 401; a missing token gets 400 invalid_request', async () => {
      const pair = await start();
      const anonymous = await revoke(null, { token: pair.refresh_token });
      assert.equal(anonymous.statusCode, 401);
      assert.equal(anonymous.json().error, 'invalid_client');
      assert.equal((await refresh(t, c1, pair.refresh_token)).statusCode, 200, 'nothing was revoked');
      const missing = await revoke(c1, {});
      assert.equal(missing.statusCode, 400);
      assert.equal(missing.json().error, 'invalid_request');
      assert.equal(missing.headers['cache-control'], 'no-store');
    });

    it('GET gets 405; a JSON body gets 400', async () => {
      const get = await t.app.inject({ method: 'GET', url: '/revoke' });
      assert.equal(get.statusCode, 405);
      assert.equal(get.headers.allow, 'POST');
      const json = await t.app.inject({ method: 'POST', url: '/revoke', headers: { 'content-type': 'application/json' }, payload: '{"token":"x"}' });
      assert.equal(json.statusCode, 400);
      assert.equal(json.json().error, 'invalid_request');
    });
  });

  describe(`revocation when storage fails (${dialect})`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp({ dialect });
    });
    after(() => t.close());

    it('a revoke that fails in storage is not reported as success', async () => {
      const alice = await createUser(t.deps, 'alice@example.com');
      const c1 = await createClient(t.deps);
      const issued = await issueTestCode(t.deps, { client: c1, user: alice, scopes: ['offline_access'] });
      const pair = (await exchangeCode(t, c1, issued)).json() as Pair;
      // A real storage failure: the table the revocation writes to is gone.
      await t.deps.database.db.schema.dropTable('revocations').execute();
      const res = await postForm(t, '/revoke', c1, { token: pair.refresh_token });
      assert.ok(res.statusCode >= 500, `got ${res.statusCode}`);
      assert.notEqual(res.json().error, undefined);
      assert.equal(res.headers['cache-control'], 'no-store');
      // The grant's rows were rolled back with the failed write: the refresh token is not revoked.
      assert.ok(await t.deps.stores.grants.findById(issued.grantId));
    });
  });
}
