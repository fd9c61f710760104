/**
 * Issue 18, CORS (src/http/cors.ts; draft-ietf-oauth-browser-based-apps §6.3.3.4; SECURITY 7, 39):
 * - /token, /revoke, /par, /userinfo: a preflight from the origin of a single-page app's redirect
 *   URI is approved; from an unregistered origin, a confidential app's or a native app's, it gets
 *   no CORS header at all. The actual request is readable only from the origins of the app it
 *   names (client_id, or the token's client at /userinfo).
 * - the origin set follows app writes at once (the change feed), creation and deletion;
 * - /authorize and /introspect never send CORS headers, from any origin;
 * - /api/v1: any origin, `*`, preflights answered, 401s readable;
 * - discovery and JWKS: `*`, preflights answered;
 * - no response ever carries Access-Control-Allow-Credentials.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createClient, createUser, type TestClient } from '../support/fixtures.ts';
import { exchangeCode, issueTestCode, obtainTokens, postForm, s256 } from '../support/codes.ts';
import type { User } from '../../src/domain/users.ts';

const SPA_ORIGIN = 'https://spa.example';
const SPA_REDIRECT = `${SPA_ORIGIN}/callback`;
const DEV_ORIGIN = 'http://127.0.0.1:5173';
const OTHER_SPA_ORIGIN = 'https://other-spa.example';
const CONFIDENTIAL_ORIGIN = 'https://server-side.example';
const NATIVE_ORIGIN = 'https://native.example';
const EVIL = 'https://evil.example';

const seen: LightMyRequestResponse[] = [];

function noCors(res: LightMyRequestResponse, label: string): void {
  for (const name of Object.keys(res.headers)) assert.doesNotMatch(name, /^access-control-/i, `${label}: ${name}`);
}

function preflight(t: TestApp, url: string, origin: string, method = 'POST', headers = 'content-type, dpop') {
  return t.app.inject({ method: 'OPTIONS', url, headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': headers } }).then((res) => {
    seen.push(res);
    return res;
  });
}

for (const dialect of dialects()) {
  describe(`CORS for single-page apps, the API and public metadata (${dialect})`, () => {
    let t: TestApp;
    let alice: User;
    let spa: TestClient;
    let otherSpa: TestClient;
    let confidential: TestClient;
    let native: TestClient;

    before(async () => {
      t = await startTestApp({ dialect });
      alice = await createUser(t.deps, 'alice@example.com', 'Alice');
      spa = await createClient(t.deps, { spa: true, redirectUris: [SPA_REDIRECT, `${DEV_ORIGIN}/cb`] });
      otherSpa = await createClient(t.deps, { spa: true, redirectUris: [`${OTHER_SPA_ORIGIN}/cb`] });
      confidential = await createClient(t.deps, { redirectUris: [`${CONFIDENTIAL_ORIGIN}/cb`] });
      native = await createClient(t.deps, { public: true, redirectUris: [`${NATIVE_ORIGIN}/cb`, 'com.example.native:/cb'] });
    });
    after(async () => {
      for (const res of seen) assert.equal(res.headers['access-control-allow-credentials'], undefined, 'never Access-Control-Allow-Credentials');
      await t.close();
    });

    it("a preflight from a single-page app's registered origin is approved at /token, /revoke, /par and /userinfo, without credentials", async () => {
      for (const [url, methods] of [['/token', 'POST'], ['/revoke', 'POST'], ['/par', 'POST'], ['/userinfo', 'GET, POST']] as const) {
        for (const origin of [SPA_ORIGIN, DEV_ORIGIN]) {
          const res = await preflight(t, url, origin);
          assert.equal(res.statusCode, 204, `${url} ${origin}`);
          assert.equal(res.headers['access-control-allow-origin'], origin);
          assert.equal(res.headers['access-control-allow-methods'], methods);
          assert.match(String(res.headers['access-control-allow-headers']), /Authorization/);
          assert.match(String(res.headers['access-control-allow-headers']), /Content-Type/);
          assert.match(String(res.headers['access-control-allow-headers']), /DPoP/);
          assert.equal(res.headers['access-control-allow-credentials'], undefined);
          assert.match(String(res.headers.vary), /Origin/);
        }
      }
    });

    it("a preflight from an unregistered origin, a confidential app's or a native app's gets no CORS header", async () => {
      for (const url of ['/token', '/revoke', '/par', '/userinfo']) {
        for (const origin of [EVIL, CONFIDENTIAL_ORIGIN, NATIVE_ORIGIN, 'null', `${SPA_ORIGIN}:8443`, 'http://spa.example']) {
          const res = await preflight(t, url, origin);
          noCors(res, `OPTIONS ${url} from ${origin}`);
          assert.equal(res.statusCode, 405, `${url} ${origin}: the endpoint's usual answer`);
          assert.match(String(res.headers.vary), /Origin/);
        }
      }
    });

    it('the code exchange and its errors are readable from the app\'s own origins, with WWW-Authenticate and DPoP-Nonce exposed', async () => {
      const issued = await issueTestCode(t.deps, { client: spa, user: alice, scopes: ['openid', 'offline_access'], redirectUri: SPA_REDIRECT });
      const ok = await exchangeCode(t, spa, issued, { redirect_uri: SPA_REDIRECT }).then((r) => r);
      assert.equal(ok.statusCode, 200, ok.body);
      noCors(ok, 'no Origin header, no CORS');
      const again = await postForm(t, '/token', spa, { grant_type: 'authorization_code', code: issued.code, code_verifier: issued.verifier, redirect_uri: SPA_REDIRECT }, { origin: SPA_ORIGIN });
      seen.push(again);
      assert.equal(again.statusCode, 400);
      assert.equal(again.headers['access-control-allow-origin'], SPA_ORIGIN, 'an error the app must handle is readable');
      assert.equal(again.headers['access-control-expose-headers'], 'WWW-Authenticate, DPoP-Nonce');
      assert.match(String(again.headers.vary), /Origin/);

      const fresh = await issueTestCode(t.deps, { client: spa, user: alice, scopes: ['openid', 'offline_access'], redirectUri: `${DEV_ORIGIN}/cb` });
      const res = await postForm(t, '/token', spa, { grant_type: 'authorization_code', code: fresh.code, code_verifier: fresh.verifier, redirect_uri: `${DEV_ORIGIN}/cb` }, { origin: DEV_ORIGIN });
      seen.push(res);
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.headers['access-control-allow-origin'], DEV_ORIGIN);

      const revoked = await postForm(t, '/revoke', spa, { token: (res.json() as { refresh_token: string }).refresh_token }, { origin: SPA_ORIGIN });
      seen.push(revoked);
      assert.equal(revoked.statusCode, 200);
      assert.equal(revoked.headers['access-control-allow-origin'], SPA_ORIGIN);

      // RFC 9126: a single-page app pushes its authorization request from its origin too.
      const pushed = await postForm(
        t,
        '/par',
        spa,
        { response_type: 'code', redirect_uri: SPA_REDIRECT, scope: 'openid', state: 'state-1', code_challenge: s256('v'.repeat(43)), code_challenge_method: 'S256' },
        { origin: SPA_ORIGIN },
      );
      seen.push(pushed);
      assert.equal(pushed.statusCode, 201, pushed.body);
      assert.equal(pushed.headers['access-control-allow-origin'], SPA_ORIGIN);
    });

    it("the actual request is checked against the app it names: another single-page app's origin, or any origin for a confidential or native app, gets nothing", async () => {
      // The preflight from OTHER_SPA_ORIGIN is approved (some app registered it) …
      assert.equal((await preflight(t, '/token', OTHER_SPA_ORIGIN)).statusCode, 204);
      // … but a request naming `spa` from it is not readable there.
      const crossed = await postForm(t, '/token', spa, { grant_type: 'refresh_token', refresh_token: 'tsr_x' }, { origin: OTHER_SPA_ORIGIN });
      seen.push(crossed);
      assert.equal(crossed.statusCode, 400);
      noCors(crossed, 'spa named from another app\'s origin');
      const own = await postForm(t, '/token', otherSpa, { grant_type: 'refresh_token', refresh_token: 'tsr_x' }, { origin: OTHER_SPA_ORIGIN });
      assert.equal(own.headers['access-control-allow-origin'], OTHER_SPA_ORIGIN);

      for (const [client, origin] of [[confidential, CONFIDENTIAL_ORIGIN], [native, NATIVE_ORIGIN]] as const) {
        for (const url of ['/token', '/revoke', '/par']) {
          const res = await postForm(t, url, client, { grant_type: 'refresh_token', refresh_token: 'tsr_x', token: 'x' }, { origin });
          seen.push(res);
          noCors(res, `${url} as ${client.app.clientType} from ${origin}`);
        }
      }
      // A confidential client's body naming the single-page app is refused, and not readable either.
      const unknown = await postForm(t, '/token', null, { grant_type: 'refresh_token', refresh_token: 'tsr_x', client_id: 'no-such-client' }, { origin: SPA_ORIGIN });
      noCors(unknown, 'an unknown client_id');
    });

    it("/userinfo is readable from the origins of the token's client only", async () => {
      const tokens = await obtainTokens(t, { client: spa, user: alice, scopes: ['openid', 'profile'] });
      const get = (origin: string, token = tokens.access_token) =>
        t.app.inject({ method: 'GET', url: '/userinfo', headers: { origin, authorization: `Bearer ${token}` } }).then((res) => {
          seen.push(res);
          return res;
        });
      const own = await get(SPA_ORIGIN);
      assert.equal(own.statusCode, 200, own.body);
      assert.equal(own.headers['access-control-allow-origin'], SPA_ORIGIN);
      noCors(await get(OTHER_SPA_ORIGIN), "another app's origin");
      noCors(await get(EVIL), 'an unregistered origin');
      // An unverifiable token names no client: nothing to check the origin against.
      noCors(await get(SPA_ORIGIN, 'not-a-token'), 'an invalid token');
      const confidentialTokens = await obtainTokens(t, { client: confidential, user: alice, scopes: ['openid'] });
      noCors(await get(CONFIDENTIAL_ORIGIN, confidentialTokens.access_token), "a confidential app's token from its origin");
    });

    it('the origin set follows app writes at once: a new single-page app is approved, a deleted one no longer', async () => {
      const origin = 'https://newcomer.example';
      noCors(await preflight(t, '/token', origin), 'before it exists');
      const loads = t.deps.spaOrigins.loads;
      noCors(await preflight(t, '/token', origin), 'still unknown');
      assert.equal(t.deps.spaOrigins.loads, loads, 'a repeated preflight reads nothing');
      const newcomer = await createClient(t.deps, { spa: true, redirectUris: [`${origin}/cb`] });
      assert.equal((await preflight(t, '/token', origin)).statusCode, 204);
      await t.deps.stores.apps.delete(newcomer.clientId);
      noCors(await preflight(t, '/token', origin), 'after it is deleted');
    });

    it('/authorize and /introspect never send CORS headers, not even to a single-page app\'s origin (SECURITY 7)', async () => {
      for (const method of ['OPTIONS', 'GET', 'POST'] as const) {
        const res = await t.app.inject({
          method,
          url: `/authorize?client_id=${spa.clientId}&response_type=code&redirect_uri=${encodeURIComponent(SPA_REDIRECT)}`,
          headers: { origin: SPA_ORIGIN, 'access-control-request-method': 'POST' },
        });
        seen.push(res);
        noCors(res, `${method} /authorize`);
      }
      const introspection = await preflight(t, '/introspect', SPA_ORIGIN);
      noCors(introspection, 'OPTIONS /introspect');
      const posted = await postForm(t, '/introspect', spa, { token: 'x' }, { origin: SPA_ORIGIN });
      seen.push(posted);
      noCors(posted, 'POST /introspect');
    });

    it('/api/v1: any origin, `*` without credentials; preflights answered on every path; a 401 is readable with its challenge', async () => {
      for (const url of ['/api/v1/me', '/api/v1/orgs/acme/projects/web/workitems/1', '/api/v1/orgs/acme/projects/web/builds']) {
        const res = await preflight(t, url, EVIL, 'PATCH', 'authorization, content-type, dpop, if-match');
        assert.equal(res.statusCode, 204, url);
        assert.equal(res.headers['access-control-allow-origin'], '*');
        for (const header of ['Authorization', 'Content-Type', 'DPoP', 'If-Match']) assert.match(String(res.headers['access-control-allow-headers']), new RegExp(header));
        for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']) assert.match(String(res.headers['access-control-allow-methods']), new RegExp(method));
      }
      const anonymous = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { origin: EVIL } });
      seen.push(anonymous);
      assert.equal(anonymous.statusCode, 401);
      assert.equal(anonymous.headers['access-control-allow-origin'], '*');
      assert.match(String(anonymous.headers['access-control-expose-headers']), /WWW-Authenticate/);
      assert.match(String(anonymous.headers['access-control-expose-headers']), /DPoP-Nonce/);
      const tokens = await obtainTokens(t, { client: spa, user: alice, scopes: ['openid', 'profile'] });
      const me = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { origin: EVIL, authorization: `Bearer ${tokens.access_token}`, cookie: 'tessera_session=x' } });
      seen.push(me);
      assert.equal(me.statusCode, 200, me.body);
      assert.equal(me.headers['access-control-allow-origin'], '*');
    });

    it('discovery and JWKS: `*` on GET and on a preflight', async () => {
      for (const url of ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server', '/.well-known/jwks.json']) {
        const res = await t.app.inject({ method: 'GET', url, headers: { origin: EVIL } });
        seen.push(res);
        assert.equal(res.headers['access-control-allow-origin'], '*', url);
        const pre = await preflight(t, url, EVIL, 'GET', 'content-type');
        assert.equal(pre.statusCode, 204, url);
        assert.equal(pre.headers['access-control-allow-origin'], '*');
      }
    });
  });
}
