/** POST /introspect (RFC 7662; SECURITY 21, 17, 42). */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createParties, type TestClient } from '../support/fixtures.ts';
import { basic, obtainTokens, postForm } from '../support/codes.ts';
import type { User } from '../../src/domain/users.ts';

for (const dialect of dialects()) {
  describe(`introspection (${dialect})`, () => {
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

    const start = (client = c1, scopes = ['openid', 'workitems:read', 'offline_access']) => obtainTokens(t, { client, user: alice, scopes });

    async function introspectRaw(client: TestClient | null, token: string, headers: Record<string, string> = {}) {
      return postForm(t, '/introspect', client, { token }, headers);
    }

    async function assertInactive(client: TestClient, token: string) {
      const res = await introspectRaw(client, token);
      assert.equal(res.statusCode, 200);
      // Exactly this body, nothing more (RFC 7662 §2.2).
      assert.equal(res.body, '{"active":false}');
      assert.equal(res.headers['cache-control'], 'no-store');
      assert.equal(res.headers.pragma, 'no-cache');
    }

    it('an active AT of the calling client returns its claims', async () => {
      const pair = await start();
      const res = await introspectRaw(c1, pair.access_token);
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['cache-control'], 'no-store');
      const body = res.json();
      assert.equal(body.active, true);
      assert.equal(body.scope, 'openid workitems:read offline_access');
      assert.equal(body.client_id, c1.clientId);
      assert.equal(body.sub, alice.id);
      assert.equal(body.iss, t.issuer);
      assert.equal(body.aud, `${t.issuer}/api`);
      assert.equal(body.token_type, 'Bearer');
      assert.equal(typeof body.jti, 'string');
      assert.equal(body.exp, body.iat + t.config.ttl.accessToken);
      assert.deepEqual(Object.keys(body).sort(), ['active', 'aud', 'client_id', 'exp', 'iat', 'iss', 'jti', 'scope', 'sub', 'token_type']);
    });

    it('no credentials gets 401; a public client gets 401', async () => {
      const pair = await start();
      for (const res of [await introspectRaw(null, pair.access_token), await introspectRaw(p1, pair.access_token)]) {
        assert.equal(res.statusCode, 401);
        assert.equal(res.json().error, 'invalid_client');
        assert.match(String(res.headers['www-authenticate']), /^Basic /);
        assert.equal(res.headers['cache-control'], 'no-store');
      }
      const wrong = await introspectRaw(null, pair.access_token, { authorization: basic(c1.clientId, 'nope') });
      assert.equal(wrong.statusCode, 401);
    });

    it('garbage, refresh tokens, ID tokens and other clients’ tokens are exactly {"active":false}', async () => {
      const pair = await start();
      await assertInactive(c1, 'garbage');
      await assertInactive(c1, pair.refresh_token);
      assert.ok(pair.id_token);
      await assertInactive(c1, pair.id_token);
      await assertInactive(c2, pair.access_token);
      const [h, p, s] = pair.access_token.split('.');
      const claims = JSON.parse(Buffer.from(p!, 'base64url').toString());
      const tampered = Buffer.from(JSON.stringify({ ...claims, scope: 'full_access' })).toString('base64url');
      await assertInactive(c1, `${h}.${tampered}.${s}`);
    });

    it('revoked and expired ATs are exactly {"active":false}', async () => {
      const revoked = await start();
      await t.deps.revoker.revokeGrant(revoked.grantId, 'test');
      await assertInactive(c1, revoked.access_token);
      const expiring = await start();
      t.clock.advance(t.config.ttl.accessToken);
      await assertInactive(c1, expiring.access_token);
    });

    it('a missing token gives 400 invalid_request; GET gives 405; JSON gives 400', async () => {
      const missing = await postForm(t, '/introspect', c1, {});
      assert.equal(missing.statusCode, 400);
      assert.equal(missing.json().error, 'invalid_request');
      const get = await t.app.inject({ method: 'GET', url: '/introspect' });
      assert.equal(get.statusCode, 405);
      const json = await t.app.inject({
        method: 'POST',
        url: '/introspect',
        headers: { 'content-type': 'application/json', authorization: basic(c1.clientId, c1.clientSecret!) },
        payload: '{"token":"x"}',
      });
      assert.equal(json.statusCode, 400);
      assert.equal(json.json().error, 'invalid_request');
    });
  });
}
