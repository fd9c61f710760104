/**
 * SECURITY 25 — the resource server identifies the person by the token's `sub` alone, never by
 * client input (RFC 6750 §3.1; RFC 9700 §4.15): a client whose client_id equals a user's id does
 * not act as that user; request parameters and headers naming another person change nothing;
 * alice's token never shows bob's organizations; a missing scope is 403 insufficient_scope.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJwt } from 'jose';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createClient, createUser, type TestClient } from '../support/fixtures.ts';
import { authorize, codeRequest } from '../support/browser.ts';
import { exchangeCode, introspect, issueTestCode } from '../support/codes.ts';
import { randomToken } from '../../src/crypto/random.ts';
import { digest } from '../../src/crypto/digest.ts';
import type { User } from '../../src/domain/users.ts';

const REDIRECT = 'https://app.example/cb';

for (const dialect of dialects()) {
  describe(`SECURITY 25: the subject comes from the token only (${dialect})`, () => {
    let t: TestApp;
    let alice: User;
    let bob: User;
    /** A confidential client registered with bob's user id as its client_id. */
    let impostor: TestClient;

    before(async () => {
      t = await startTestApp({ dialect });
      alice = await createUser(t.deps, 'alice@example.com', 'Alice');
      bob = await createUser(t.deps, 'bob@example.com', 'Bob');
      await t.deps.stores.organizations.create({ slug: 'alice-org', name: 'Alice Org', ownerUserId: alice.id }, t.clock.now());
      await t.deps.stores.organizations.create({ slug: 'bob-org', name: 'Bob Org', ownerUserId: bob.id }, t.clock.now());
      const base = await createClient(t.deps, { redirectUris: [REDIRECT] });
      const clientSecret = randomToken('clientSecret');
      impostor = { app: { ...base.app, id: bob.id, name: 'Impostor' }, clientId: bob.id, clientSecret };
      await t.deps.stores.apps.create(impostor.app, digest(clientSecret), t.clock.now());
    });
    after(() => t.close());

    const api = (path: string, token: string, headers: Record<string, string> = {}) =>
      t.app.inject({ method: 'GET', url: `/api/v1${path}`, headers: { authorization: `Bearer ${token}`, ...headers } });

    it("a client whose client_id equals bob's sub, authorized by alice, acts as alice only", async () => {
      const { params, verifier } = codeRequest(impostor.clientId, REDIRECT, { scope: 'openid profile email orgs:read' });
      const callback = await authorize(t, params, { email: 'alice@example.com', approve: true });
      const code = callback.searchParams.get('code');
      assert.ok(code, callback.href);
      const res = await exchangeCode(t, impostor, { code, verifier }, { redirect_uri: REDIRECT });
      assert.equal(res.statusCode, 200, res.body);
      const { access_token, id_token } = res.json() as { access_token: string; id_token: string };

      const claims = decodeJwt(access_token);
      assert.equal(claims.sub, alice.id);
      assert.equal(claims.client_id, bob.id);
      assert.equal(decodeJwt(id_token).sub, alice.id);

      const me = await api('/me', access_token);
      assert.equal(me.statusCode, 200);
      assert.deepEqual(me.json(), { id: alice.id, name: 'Alice', email: 'alice@example.com' });
      const orgs = await api('/orgs', access_token);
      assert.deepEqual(orgs.json().items.map((o: { slug: string }) => o.slug), ['alice-org']);
      const userinfo = await t.app.inject({ method: 'GET', url: '/userinfo', headers: { authorization: `Bearer ${access_token}` } });
      assert.equal(userinfo.json().sub, alice.id);
      assert.equal((await introspect(t, impostor, access_token)).sub, alice.id);
    });

    it('client input naming another person is ignored: query parameters and headers', async () => {
      const issued = await issueTestCode(t.deps, { client: impostor, user: alice, scopes: ['openid', 'profile', 'orgs:read'] });
      const { access_token } = (await exchangeCode(t, impostor, issued)).json() as { access_token: string };
      for (const path of [`/me?sub=${bob.id}`, `/me?user_id=${bob.id}`, `/me?id=${bob.id}`, `/orgs?user=${bob.id}`, `/orgs?owner=${bob.id}`]) {
        const res = await api(path, access_token, { 'x-user-id': bob.id, 'x-forwarded-user': bob.id, 'x-sub': bob.id });
        assert.equal(res.statusCode, 200, path);
        assert.doesNotMatch(res.body, new RegExp(bob.id), path);
        // Bob's name, email and organization; not /bob/i, which a random id such as "…TboBG…" contains.
        assert.doesNotMatch(res.body, /"Bob"|bob@example\.com|bob-org|Bob Org/, path);
      }
    });

    it("alice's token never reaches bob's objects", async () => {
      const issued = await issueTestCode(t.deps, { client: impostor, user: alice, scopes: ['orgs:read'] });
      const { access_token } = (await exchangeCode(t, impostor, issued)).json() as { access_token: string };
      const orgs = await api('/orgs', access_token);
      assert.equal(orgs.statusCode, 200);
      assert.ok(!orgs.json().items.some((o: { slug: string }) => o.slug === 'bob-org'));
      // No path reaches another person's record.
      for (const path of [`/users/${bob.id}`, `/me/${bob.id}`, `/orgs/bob-org`]) {
        const res = await api(path, access_token);
        assert.ok([403, 404, 405].includes(res.statusCode), `${path}: ${res.statusCode}`);
        assert.doesNotMatch(res.body, /Bob/);
      }
    });

    it('a token without the scope an endpoint needs gets 403 insufficient_scope with scope=', async () => {
      const issued = await issueTestCode(t.deps, { client: impostor, user: alice, scopes: ['openid', 'profile'] });
      const { access_token } = (await exchangeCode(t, impostor, issued)).json() as { access_token: string };
      const res = await api('/orgs', access_token);
      assert.equal(res.statusCode, 403);
      assert.match(String(res.headers['www-authenticate']), /error="insufficient_scope", scope="orgs:read"/);
    });

    it('the client_credentials grant does not exist, so no client-only token can reach user endpoints', async () => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/token',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${impostor.clientId}:${impostor.clientSecret}`).toString('base64')}` },
        payload: 'grant_type=client_credentials&scope=orgs:read',
      });
      assert.equal(res.statusCode, 400);
      assert.equal(res.json().error, 'unsupported_grant_type');
    });
  });
}
