/** GET/POST /userinfo (OIDC Core §5.3) and its bearer-token handling (RFC 6750; SECURITY 23). */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { SignJWT, generateKeyPair, exportJWK, decodeProtectedHeader, decodeJwt } from 'jose';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createClient, createUser, type TestClient } from '../support/fixtures.ts';
import { exchangeCode, issueTestCode } from '../support/codes.ts';
import type { User } from '../../src/domain/users.ts';

interface Pair {
  access_token: string;
  refresh_token?: string;
  id_token?: string;
}

for (const dialect of dialects()) {
  describe(`userinfo (${dialect})`, () => {
    let t: TestApp;
    let alice: User;
    let c1: TestClient;

    before(async () => {
      t = await startTestApp({ dialect });
      alice = await createUser(t.deps, 'alice@example.com', 'Alice Liddell');
      c1 = await createClient(t.deps);
    });
    after(() => t.close());

    async function token(scopes = ['openid', 'profile', 'email']): Promise<Pair> {
      const issued = await issueTestCode(t.deps, { client: c1, user: alice, scopes });
      const res = await exchangeCode(t, c1, issued);
      assert.equal(res.statusCode, 200, res.body);
      return res.json() as Pair;
    }

    const get = (headers: Record<string, string> = {}, url = '/userinfo') => t.app.inject({ method: 'GET', url, headers });

    function assertInvalidToken(res: Awaited<ReturnType<typeof get>>) {
      assert.equal(res.statusCode, 401, res.body);
      assert.match(String(res.headers['www-authenticate']), /^Bearer realm="tessera", error="invalid_token"/);
      assert.equal(res.headers['cache-control'], 'no-store');
    }

    it('returns sub, name and email by scope, not cacheable', async () => {
      const { access_token } = await token();
      const res = await get({ authorization: `Bearer ${access_token}` });
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(res.json(), { sub: alice.id, name: 'Alice Liddell', email: 'alice@example.com', email_verified: false });
      assert.equal(res.headers['cache-control'], 'no-store');
      assert.equal(res.headers.pragma, 'no-cache');
    });

    it('releases only sub with openid alone', async () => {
      const { access_token } = await token(['openid']);
      const res = await get({ authorization: `Bearer ${access_token}` });
      assert.deepEqual(res.json(), { sub: alice.id });
    });

    it('accepts POST with the token in the header or in the form body', async () => {
      const { access_token } = await token();
      const header = await t.app.inject({ method: 'POST', url: '/userinfo', headers: { authorization: `Bearer ${access_token}` } });
      assert.equal(header.statusCode, 200, header.body);
      const body = await t.app.inject({
        method: 'POST',
        url: '/userinfo',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: `access_token=${access_token}`,
      });
      assert.equal(body.statusCode, 200, body.body);
      assert.equal(body.json().sub, alice.id);
    });

    it('the auth scheme is case-insensitive: bearer and BEARER work', async () => {
      const { access_token } = await token();
      assert.equal((await get({ authorization: `bearer ${access_token}` })).statusCode, 200);
      assert.equal((await get({ authorization: `BEARER ${access_token}` })).statusCode, 200);
    });

    it('no token gets 401 with WWW-Authenticate: Bearer realm and no error', async () => {
      for (const headers of [{}, { authorization: 'Basic Zm9vOmJhcg==' }] as Record<string, string>[]) {
        const res = await get(headers);
        assert.equal(res.statusCode, 401);
        assert.equal(res.headers['www-authenticate'], 'Bearer realm="tessera"');
        assert.equal(res.headers['cache-control'], 'no-store');
      }
    });

    it('garbage and malformed headers get 401 invalid_token', async () => {
      assertInvalidToken(await get({ authorization: 'Bearer garbage' }));
      assertInvalidToken(await get({ authorization: 'Bearer a b' }));
      assertInvalidToken(await get({ authorization: 'Bearer' }));
    });

    it('an expired token gets 401 invalid_token', async () => {
      const { access_token } = await token();
      t.clock.advance(t.config.ttl.accessToken + 1);
      assertInvalidToken(await get({ authorization: `Bearer ${access_token}` }));
    });

    it('a revoked token gets 401 invalid_token', async () => {
      const { access_token } = await token();
      const claims = decodeJwt(access_token);
      await t.deps.revoker.revokeAccessToken(claims.jti!, claims.exp!);
      assertInvalidToken(await get({ authorization: `Bearer ${access_token}` }));
    });

    it('forged tokens get 401: tampered, alg none, HS256 with the public key, unknown kid, jku, embedded jwk', async () => {
      const { access_token } = await token();
      const [h, p, s] = access_token.split('.') as [string, string, string];
      const header = decodeProtectedHeader(access_token);
      const claims = decodeJwt(access_token);
      const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');

      const tampered = `${h}.${enc({ ...claims, scope: 'openid profile email full_access' })}.${s}`;
      const none = `${enc({ alg: 'none', typ: 'at+jwt', kid: header.kid })}.${p}.`;
      const jwks = (await t.app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json() as { keys: object[] };
      const publicJwk = JSON.stringify(jwks.keys[0]);
      const hs256 = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: header.kid! }).sign(new TextEncoder().encode(publicJwk));
      const attacker = await generateKeyPair('ES256', { extractable: true });
      const unknownKid = await new SignJWT(claims).setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: 'attacker' }).sign(attacker.privateKey);
      const jku = await new SignJWT(claims)
        .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: 'attacker', jku: 'https://evil.example/jwks.json' })
        .sign(attacker.privateKey);
      const embedded = await new SignJWT(claims)
        .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: header.kid!, jwk: await exportJWK(attacker.publicKey) })
        .sign(attacker.privateKey);
      for (const forged of [tampered, none, hs256, unknownKid, jku, embedded]) {
        assertInvalidToken(await get({ authorization: `Bearer ${forged}` }));
      }
    });

    it('an ID token or a refresh token used as an access token gets 401', async () => {
      const { id_token, refresh_token } = await token(['openid', 'offline_access']);
      assertInvalidToken(await get({ authorization: `Bearer ${id_token}` }));
      assertInvalidToken(await get({ authorization: `Bearer ${refresh_token}` }));
    });

    it('?access_token= in the query is refused, even when valid', async () => {
      const { access_token } = await token();
      const res = await get({}, `/userinfo?access_token=${access_token}`);
      assert.equal(res.statusCode, 400);
      assert.equal(res.json().error, 'invalid_request');
    });

    it('a token in both header and body gets 400 invalid_request', async () => {
      const { access_token } = await token();
      const res = await t.app.inject({
        method: 'POST',
        url: '/userinfo',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Bearer ${access_token}` },
        payload: `access_token=${access_token}`,
      });
      assert.equal(res.statusCode, 400);
      assert.equal(res.json().error, 'invalid_request');
    });

    it('a JSON body carrying the token gets 400 invalid_request', async () => {
      const { access_token } = await token();
      const res = await t.app.inject({
        method: 'POST',
        url: '/userinfo',
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify({ access_token }),
      });
      assert.equal(res.statusCode, 400);
      assert.equal(res.json().error, 'invalid_request');
    });

    it('a token without openid gets 403 insufficient_scope', async () => {
      const { access_token } = await token(['workitems:read']);
      const res = await get({ authorization: `Bearer ${access_token}` });
      assert.equal(res.statusCode, 403);
      assert.equal(res.json().error, 'insufficient_scope');
      assert.match(String(res.headers['www-authenticate']), /error="insufficient_scope", scope="openid"/);
    });

    it('a disabled account gets 401 invalid_token', async () => {
      const bob = await createUser(t.deps, 'bob@example.com');
      const issued = await issueTestCode(t.deps, { client: c1, user: bob, scopes: ['openid'] });
      const { access_token } = (await exchangeCode(t, c1, issued)).json() as Pair;
      // Stands in for the account feature's disable action (no store method for it yet).
      await t.deps.database.db.updateTable('users').set({ disabled_at: t.clock.now() }).where('id', '=', bob.id).execute();
      assertInvalidToken(await get({ authorization: `Bearer ${access_token}` }));
    });

    it('other methods get 405', async () => {
      const res = await t.app.inject({ method: 'DELETE', url: '/userinfo' });
      assert.equal(res.statusCode, 405);
      assert.match(String(res.headers.allow), /GET/);
    });
  });
}
