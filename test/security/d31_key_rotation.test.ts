/**
 * SECURITY 31 — signing key rotation without outage (OIDC Core §10.1.1): the JWKS publishes the
 * current and the previous public key only; new tokens carry the new `kid`; a token signed before
 * the rotation keeps working at the API until the key that signed it is retired, and then stops.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { decodeProtectedHeader } from 'jose';
import { databaseOf, dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createClient, createUser, type TestClient } from '../support/fixtures.ts';
import { exchangeCode, issueTestCode, refresh } from '../support/codes.ts';
import type { User } from '../../src/domain/users.ts';

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'];

interface Tokens {
  access_token: string;
  refresh_token: string;
  id_token: string;
}

for (const dialect of dialects()) {
  describe(`SECURITY 31: signing key rotation (${dialect})`, () => {
    let t: TestApp;
    let alice: User;
    let c1: TestClient;

    before(async () => {
      t = await startTestApp({ dialect });
      alice = await createUser(t.deps, 'alice@example.com', 'Alice');
      c1 = await createClient(t.deps);
    });
    after(() => t.close());

    async function jwks(): Promise<Record<string, unknown>[]> {
      const res = await t.app.inject({ method: 'GET', url: '/.well-known/jwks.json' });
      assert.equal(res.statusCode, 200);
      return (res.json() as { keys: Record<string, unknown>[] }).keys;
    }
    const kids = async () => (await jwks()).map((k) => String(k.kid));

    async function tokens(): Promise<Tokens> {
      const issued = await issueTestCode(t.deps, { client: c1, user: alice, scopes: ['openid', 'profile', 'offline_access'] });
      const res = await exchangeCode(t, c1, issued);
      assert.equal(res.statusCode, 200, res.body);
      return res.json() as Tokens;
    }

    const me = (accessToken: string) => t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${accessToken}` } });
    const kidOf = (jwt: string) => decodeProtectedHeader(jwt).kid;

    it('issues AT_old, rotates, keeps AT_old working, and retires the first key on the next rotation', async () => {
      const [k1] = await kids();
      assert.ok(k1);
      const old = await tokens();
      assert.equal(kidOf(old.access_token), k1);
      assert.equal(kidOf(old.id_token), k1);
      assert.equal((await me(old.access_token)).statusCode, 200);

      // First rotation: the new key signs, the old one is still published and still verifies.
      const k2 = await t.deps.keys.rotate();
      assert.notEqual(k2, k1);
      assert.deepEqual(await kids(), [k2, k1]);
      const fresh = await tokens();
      assert.equal(kidOf(fresh.access_token), k2, 'new access tokens carry the new kid');
      assert.equal(kidOf(fresh.id_token), k2, 'new ID tokens carry the new kid');
      assert.equal((await me(old.access_token)).statusCode, 200, 'AT_old still works at the API');
      assert.equal((await me(fresh.access_token)).statusCode, 200);
      // A refresh across the rotation is signed with the new key.
      const refreshed = await refresh(t, c1, old.refresh_token);
      assert.equal(refreshed.statusCode, 200, refreshed.body);
      assert.equal(kidOf(refreshed.json().access_token), k2);

      // Second rotation: k1 is retired — gone from the JWKS, and AT_old is refused.
      const k3 = await t.deps.keys.rotate();
      assert.deepEqual(await kids(), [k3, k2], 'current and previous only');
      assert.ok(!(await kids()).includes(k1));
      const refused = await me(old.access_token);
      assert.equal(refused.statusCode, 401);
      assert.match(String(refused.headers['www-authenticate']), /error="invalid_token"/);
      assert.equal((await me(fresh.access_token)).statusCode, 200, 'tokens of the previous key still work');
      // Introspection agrees with the API.
      const introspected = await t.app.inject({
        method: 'POST',
        url: '/introspect',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${c1.clientId}:${c1.clientSecret}`).toString('base64')}` },
        payload: `token=${old.access_token}`,
      });
      assert.equal(introspected.body, '{"active":false}');
    });

    it('the JWKS never publishes private members, before or after rotations', async () => {
      await t.deps.keys.rotate();
      const keys = await jwks();
      assert.equal(keys.length, 2);
      for (const key of keys) for (const member of PRIVATE_MEMBERS) assert.equal(key[member], undefined, member);
      // Every published key is a signing key of ours, with its algorithm pinned.
      for (const key of keys) {
        assert.equal(key.use ?? 'sig', 'sig');
        assert.equal(key.alg, 'ES256');
      }
    });

    it('keys survive a restart: a second process on the same database publishes the same JWKS', async () => {
      const before = await kids();
      const second = await startTestApp({ database: databaseOf(t) });
      try {
        const res = await second.app.inject({ method: 'GET', url: '/.well-known/jwks.json' });
        assert.deepEqual((res.json() as { keys: { kid: string }[] }).keys.map((k) => k.kid), before);
        // A token of the first process works at the second.
        const { access_token } = await tokens();
        const at = await second.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${access_token}` } });
        assert.equal(at.statusCode, 200);
      } finally {
        await second.close();
      }
    });
  });
}
