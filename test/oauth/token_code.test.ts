/**
 * The authorization_code grant at /token: happy path with ID token, PKCE (SECURITY 10), single
 * use and replay (11), code lifetime (12), client and redirect binding (13), no-store (17),
 * unsupported grants (6) and method / content-type hygiene (42).
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createLocalJWKSet, jwtVerify, decodeJwt, type JSONWebKeySet } from 'jose';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createClient, createUser, type TestClient } from '../support/fixtures.ts';
import { exchangeCode, introspect, issueTestCode, postForm, refresh } from '../support/codes.ts';
import type { User } from '../../src/domain/users.ts';

const REDIRECT = 'https://app.example/cb';

for (const dialect of dialects()) {
  describe(`token endpoint, authorization_code (${dialect})`, () => {
    let t: TestApp;
    let alice: User;
    let c1: TestClient;
    let c2: TestClient;
    let p1: TestClient;
    let p2: TestClient;

    before(async () => {
      t = await startTestApp({ dialect });
      alice = await createUser(t.deps, 'alice@example.com', 'Alice');
      c1 = await createClient(t.deps, { redirectUris: [REDIRECT] });
      c2 = await createClient(t.deps, { redirectUris: [REDIRECT] });
      p1 = await createClient(t.deps, { public: true, redirectUris: ['http://127.0.0.1/cb'] });
      p2 = await createClient(t.deps, { public: true, redirectUris: ['http://127.0.0.1/cb'] });
    });
    after(() => t.close());

    const code = (client: TestClient, scopes = ['openid', 'profile', 'offline_access'], extra: { nonce?: string; redirectUri?: string } = {}) =>
      issueTestCode(t.deps, { client, user: alice, scopes, redirectUri: REDIRECT, ...extra });

    it('exchanges a code for an access token, refresh token and a verifiable ID token', async () => {
      const authTime = t.clock.now() - 30;
      const issued = await issueTestCode(t.deps, {
        client: c1,
        user: alice,
        scopes: ['openid', 'profile', 'offline_access'],
        redirectUri: REDIRECT,
        nonce: 'n-0S6_WzA2Mj',
        authTime,
      });
      const res = await exchangeCode(t, c1, issued, { redirect_uri: REDIRECT });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.headers['cache-control'], 'no-store');
      assert.equal(res.headers.pragma, 'no-cache');
      assert.match(String(res.headers['content-type']), /^application\/json/);
      const body = res.json();
      assert.equal(body.token_type, 'Bearer');
      assert.equal(body.expires_in, t.config.ttl.accessToken);
      assert.equal(body.scope, 'openid profile offline_access');
      assert.match(body.refresh_token, /^tsr_[A-Za-z0-9_-]{43}$/);

      const jwks = (await t.app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json() as JSONWebKeySet;
      const { payload, protectedHeader } = await jwtVerify(body.id_token, createLocalJWKSet(jwks), {
        issuer: t.issuer,
        audience: c1.clientId,
        algorithms: ['ES256'],
      });
      assert.equal(protectedHeader.alg, 'ES256');
      assert.equal(payload.sub, alice.id);
      assert.equal(payload.azp, c1.clientId);
      assert.equal(payload.nonce, 'n-0S6_WzA2Mj');
      assert.equal(payload.auth_time, authTime);
      assert.deepEqual(payload.amr, ['pwd']);
      const expectedAtHash = createHash('sha256').update(body.access_token).digest().subarray(0, 16).toString('base64url');
      assert.equal(payload.at_hash, expectedAtHash);
      assert.equal(payload.exp, (payload.iat as number) + t.config.ttl.idToken);

      const at = await jwtVerify(body.access_token, createLocalJWKSet(jwks), { issuer: t.issuer, audience: `${t.issuer}/api`, typ: 'at+jwt' });
      assert.equal(at.payload.client_id, c1.clientId);
      assert.equal(at.payload.scope, 'openid profile offline_access');
      assert.equal(at.payload.gid, issued.grantId);
      assert.equal(at.payload.fid, issued.familyId);
      assert.equal(at.payload.auth_time, authTime);

      // The grant records its use, and the metrics count each token issued.
      await t.deps.usage.flush();
      const lastUsedAt = (await t.deps.stores.grants.findById(issued.grantId))?.lastUsedAt ?? 0;
      // The clock follows real time: the use was stamped at most a few seconds ago.
      assert.ok(lastUsedAt <= t.clock.now() && lastUsedAt >= (payload.iat as number), `last used at ${lastUsedAt}`);
      const metrics = await t.deps.metrics.registry.getSingleMetricAsString('tessera_tokens_issued_total');
      for (const token of ['access_token', 'refresh_token', 'id_token']) {
        assert.match(metrics, new RegExp(`grant_type="authorization_code",token="${token}"} [1-9]`));
      }
    });

    it('issues no refresh token without offline_access and no ID token without openid', async () => {
      const issued = await code(c1, ['workitems:read']);
      const res = await exchangeCode(t, c1, issued, { redirect_uri: REDIRECT });
      assert.equal(res.statusCode, 200, res.body);
      const body = res.json();
      assert.equal(body.scope, 'workitems:read');
      assert.equal(body.refresh_token, undefined);
      assert.equal(body.id_token, undefined);
    });

    it('works for a public client with client_id in the body', async () => {
      const issued = await issueTestCode(t.deps, { client: p1, user: alice, scopes: ['openid'] });
      const res = await exchangeCode(t, p1, issued);
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(decodeJwt(res.json().id_token).aud, p1.clientId);
    });

    describe('PKCE verifier (SECURITY 10)', () => {
      it('a missing verifier gives invalid_request', async () => {
        const issued = await code(c1);
        const res = await postForm(t, '/token', c1, { grant_type: 'authorization_code', code: issued.code, redirect_uri: REDIRECT });
        assert.equal(res.statusCode, 400);
        assert.equal(res.json().error, 'invalid_request');
      });
      it('a wrong verifier gives invalid_grant', async () => {
        const issued = await code(c1);
        const res = await exchangeCode(t, c1, { code: issued.code, verifier: 'x'.repeat(43) }, { redirect_uri: REDIRECT });
        assert.equal(res.statusCode, 400);
        assert.equal(res.json().error, 'invalid_grant');
      });
      for (const length of [42, 129]) {
        it(`a ${length}-character verifier gives 400 invalid_request`, async () => {
          const issued = await code(c1);
          const res = await exchangeCode(t, c1, { code: issued.code, verifier: 'a'.repeat(length) }, { redirect_uri: REDIRECT });
          assert.equal(res.statusCode, 400);
          assert.equal(res.json().error, 'invalid_request');
          // The code is still good: a malformed attempt did not burn it.
          assert.equal((await exchangeCode(t, c1, issued, { redirect_uri: REDIRECT })).statusCode, 200);
        });
      }
    });

    describe('single use and replay (SECURITY 11)', () => {
      it('a replay after 1 s and after 30 s is invalid_grant and revokes AT1 and RT1', async () => {
        const issued = await code(c1);
        const first = await exchangeCode(t, c1, issued, { redirect_uri: REDIRECT });
        assert.equal(first.statusCode, 200);
        const { access_token: at1, refresh_token: rt1 } = first.json();
        assert.equal((await introspect(t, c1, at1)).active, true);

        t.clock.advance(1);
        const replay = await exchangeCode(t, c1, issued, { redirect_uri: REDIRECT });
        assert.equal(replay.statusCode, 400);
        assert.equal(replay.json().error, 'invalid_grant');
        assert.deepEqual(await introspect(t, c1, at1), { active: false });
        const userinfo = await t.app.inject({ method: 'GET', url: '/userinfo', headers: { authorization: `Bearer ${at1}` } });
        assert.equal(userinfo.statusCode, 401);
        const refreshed = await refresh(t, c1, rt1);
        assert.equal(refreshed.statusCode, 400);
        assert.equal(refreshed.json().error, 'invalid_grant');

        t.clock.advance(29);
        const late = await exchangeCode(t, c1, issued, { redirect_uri: REDIRECT });
        assert.equal(late.statusCode, 400);
        assert.equal(late.json().error, 'invalid_grant');
      });

      it('a replay with a wrong verifier or another client is refused and revokes nothing', async () => {
        const issued = await code(c1);
        const first = await exchangeCode(t, c1, issued, { redirect_uri: REDIRECT });
        const { access_token: at1, refresh_token: rt1 } = first.json();
        t.clock.advance(1);
        const wrongVerifier = await exchangeCode(t, c1, { code: issued.code, verifier: 'y'.repeat(50) }, { redirect_uri: REDIRECT });
        assert.equal(wrongVerifier.json().error, 'invalid_grant');
        const otherClient = await exchangeCode(t, c2, issued, { redirect_uri: REDIRECT });
        assert.equal(otherClient.json().error, 'invalid_grant');
        const otherRedirect = await exchangeCode(t, c1, issued, { redirect_uri: 'https://app.example/other' });
        assert.equal(otherRedirect.json().error, 'invalid_grant');
        assert.equal((await introspect(t, c1, at1)).active, true);
        assert.equal((await refresh(t, c1, rt1)).statusCode, 200);
      });

      it('20 parallel redemptions give exactly one 200', async () => {
        const issued = await code(c1);
        const results = await Promise.all(Array.from({ length: 20 }, () => exchangeCode(t, c1, issued, { redirect_uri: REDIRECT })));
        const statuses = results.map((r) => r.statusCode);
        assert.equal(statuses.filter((s) => s === 200).length, 1, statuses.join(','));
        for (const r of results) if (r.statusCode !== 200) assert.equal(r.json().error, 'invalid_grant');
      });
    });

    describe('code lifetime (SECURITY 12)', () => {
      it('redeeming at TTL-5 s succeeds', async () => {
        const issued = await code(c1);
        t.clock.advance(t.config.ttl.authorizationCode - 5);
        assert.equal((await exchangeCode(t, c1, issued, { redirect_uri: REDIRECT })).statusCode, 200);
      });
      it('redeeming at TTL+5 s gives invalid_grant', async () => {
        const issued = await code(c1);
        t.clock.advance(t.config.ttl.authorizationCode + 5);
        const res = await exchangeCode(t, c1, issued, { redirect_uri: REDIRECT });
        assert.equal(res.statusCode, 400);
        assert.equal(res.json().error, 'invalid_grant');
      });
    });

    describe('code bound to client and redirect_uri (SECURITY 13)', () => {
      it("C1's code redeemed with C2's valid credentials gives invalid_grant", async () => {
        const issued = await code(c1);
        const res = await exchangeCode(t, c2, issued, { redirect_uri: REDIRECT });
        assert.equal(res.statusCode, 400);
        assert.equal(res.json().error, 'invalid_grant');
        assert.equal((await exchangeCode(t, c1, issued, { redirect_uri: REDIRECT })).statusCode, 200, 'the code is unharmed');
      });
      it("C1's Basic credentials with client_id=C2 in the body give 400 invalid_request", async () => {
        const issued = await code(c1);
        const res = await exchangeCode(t, c1, issued, { redirect_uri: REDIRECT, client_id: c2.clientId });
        assert.equal(res.statusCode, 400);
        assert.equal(res.json().error, 'invalid_request');
      });
      it('a different or missing redirect_uri gives invalid_grant', async () => {
        const issued = await code(c1);
        const other = await exchangeCode(t, c1, issued, { redirect_uri: 'https://app.example/cb/' });
        assert.equal(other.json().error, 'invalid_grant');
        const missing = await exchangeCode(t, c1, issued);
        assert.equal(missing.json().error, 'invalid_grant');
      });
      it('a code whose request had no redirect_uri accepts only the registered one, or none', async () => {
        const a = await issueTestCode(t.deps, { client: c1, user: alice, scopes: ['openid'] });
        assert.equal((await exchangeCode(t, c1, a)).statusCode, 200);
        const b = await issueTestCode(t.deps, { client: c1, user: alice, scopes: ['openid'] });
        assert.equal((await exchangeCode(t, c1, b, { redirect_uri: REDIRECT })).statusCode, 200);
        const c = await issueTestCode(t.deps, { client: c1, user: alice, scopes: ['openid'] });
        assert.equal((await exchangeCode(t, c1, c, { redirect_uri: 'https://evil.example/cb' })).json().error, 'invalid_grant');
      });
      it("P1's code redeemed with another public client's client_id gives invalid_grant", async () => {
        const issued = await issueTestCode(t.deps, { client: p1, user: alice, scopes: ['openid'] });
        const res = await exchangeCode(t, p2, issued);
        assert.equal(res.statusCode, 400);
        assert.equal(res.json().error, 'invalid_grant');
      });
      it('a code of a revoked grant gives invalid_grant', async () => {
        const issued = await code(c1);
        await t.deps.revoker.revokeGrant(issued.grantId, 'test');
        const res = await exchangeCode(t, c1, issued, { redirect_uri: REDIRECT });
        assert.equal(res.json().error, 'invalid_grant');
      });
      it('unknown and malformed codes give invalid_grant; a missing code invalid_request', async () => {
        for (const value of ['tsc_' + 'A'.repeat(43), 'garbage']) {
          const res = await exchangeCode(t, c1, { code: value, verifier: 'v'.repeat(43) });
          assert.equal(res.json().error, 'invalid_grant', value);
        }
        const missing = await postForm(t, '/token', c1, { grant_type: 'authorization_code', code_verifier: 'v'.repeat(43) });
        assert.equal(missing.json().error, 'invalid_request');
      });
    });

    describe('grant types, methods and bodies (SECURITY 6, 17, 40, 42)', () => {
      for (const grantType of ['password', 'client_credentials', 'implicit', 'urn:ietf:params:oauth:grant-type:jwt-bearer']) {
        it(`grant_type=${grantType} gives 400 unsupported_grant_type, not cacheable`, async () => {
          const res = await postForm(t, '/token', c1, { grant_type: grantType, username: 'alice@example.com', password: 'x' });
          assert.equal(res.statusCode, 400);
          assert.equal(res.json().error, 'unsupported_grant_type');
          assert.equal(res.headers['cache-control'], 'no-store');
          assert.equal(res.headers.pragma, 'no-cache');
        });
      }
      it('the device_code grant is known, but only to apps that opted in (issue 17): unauthorized_client', async () => {
        const res = await postForm(t, '/token', c1, { grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: 'tsd_' + 'A'.repeat(43) });
        assert.equal(res.statusCode, 400);
        assert.equal(res.json().error, 'unauthorized_client');
        assert.equal(res.headers['cache-control'], 'no-store');
      });
      it('a missing grant_type gives invalid_request', async () => {
        const res = await postForm(t, '/token', c1, {});
        assert.equal(res.statusCode, 400);
        assert.equal(res.json().error, 'invalid_request');
      });
      it('a doubled grant_type or code gives invalid_request', async () => {
        const issued = await code(c1);
        for (const payload of [
          `grant_type=authorization_code&grant_type=authorization_code&code=${issued.code}&code_verifier=${issued.verifier}&redirect_uri=${encodeURIComponent(REDIRECT)}`,
          `grant_type=authorization_code&code=${issued.code}&code=${issued.code}&code_verifier=${issued.verifier}&redirect_uri=${encodeURIComponent(REDIRECT)}`,
        ]) {
          const res = await t.app.inject({
            method: 'POST',
            url: '/token',
            headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${c1.clientId}:${c1.clientSecret}`).toString('base64')}` },
            payload,
          });
          assert.equal(res.statusCode, 400);
          assert.equal(res.json().error, 'invalid_request');
        }
      });
      for (const method of ['GET', 'PUT', 'DELETE', 'TRACE'] as const) {
        it(`${method} /token gives 405 with Allow: POST and no-store`, async () => {
          const res = await t.app.inject({ method, url: '/token' });
          assert.equal(res.statusCode, 405);
          assert.equal(res.headers.allow, 'POST');
          assert.equal(res.headers['cache-control'], 'no-store');
        });
      }
      it('a JSON body gives 400 invalid_request', async () => {
        const issued = await code(c1);
        const res = await t.app.inject({
          method: 'POST',
          url: '/token',
          headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`${c1.clientId}:${c1.clientSecret}`).toString('base64')}` },
          payload: JSON.stringify({ grant_type: 'authorization_code', code: issued.code, code_verifier: issued.verifier }),
        });
        assert.equal(res.statusCode, 400);
        assert.equal(res.json().error, 'invalid_request');
        assert.equal(res.headers['cache-control'], 'no-store');
        assert.equal(res.headers.pragma, 'no-cache');
      });
      it('a body with no content type gives 400 invalid_request', async () => {
        const res = await t.app.inject({ method: 'POST', url: '/token', payload: 'grant_type=authorization_code' });
        assert.equal(res.statusCode, 400);
        assert.equal(res.json().error, 'invalid_request');
      });
      it('a form with charset=utf-8 is accepted; bad percent-encoding gives 400', async () => {
        const issued = await code(c1);
        const ok = await postForm(t, '/token', c1, { grant_type: 'authorization_code', code: issued.code, code_verifier: issued.verifier, redirect_uri: REDIRECT }, {
          'content-type': 'application/x-www-form-urlencoded; charset=UTF-8',
        });
        assert.equal(ok.statusCode, 200, ok.body);
        const malformed = await t.app.inject({
          method: 'POST',
          url: '/token',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          payload: 'grant_type=%C0%AF',
        });
        assert.equal(malformed.statusCode, 400);
        assert.equal(malformed.json().error, 'invalid_request');
      });
    });
  });
}
