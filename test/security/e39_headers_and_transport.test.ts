/**
 * SECURITY 39 — security headers and transport (ASVS 3.4.1–3.4.4; RFC 9700 §2.6): HSTS of at
 * least a year over https, nosniff everywhere, CSP with object-src 'none' and base-uri 'none' on
 * pages (and a deny-all CSP on everything else), CORS only on metadata and JWKS and never with
 * credentials, and no redirect of plain-http API calls to https (a 301/308 would re-send the
 * credentials a client already leaked in the clear).
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createClient, createUser, type TestClient } from '../support/fixtures.ts';
import { basic } from '../support/codes.ts';

const RESPONSES: [string, string, Record<string, string>?, string?][] = [
  ['GET', '/login'],
  ['GET', '/authorize?client_id=nobody'],
  ['GET', '/.well-known/openid-configuration'],
  ['GET', '/.well-known/jwks.json'],
  ['POST', '/token', { 'content-type': 'application/x-www-form-urlencoded' }, 'grant_type=refresh_token'],
  ['POST', '/introspect', { 'content-type': 'application/x-www-form-urlencoded' }, 'token=x'],
  ['POST', '/revoke', { 'content-type': 'application/x-www-form-urlencoded' }, 'token=x'],
  ['GET', '/userinfo'],
  ['GET', '/api/v1/me'],
  ['GET', '/healthz'],
  ['GET', '/no-such-page'],
];

for (const dialect of dialects()) {
  describe(`SECURITY 39: security headers and transport, issuer on https (${dialect})`, () => {
    let t: TestApp;
    let c1: TestClient;

    before(async () => {
      t = await startTestApp({ dialect, env: { PUBLIC_URL: 'https://tessera.example' } });
      await createUser(t.deps, 'alice@example.com');
      c1 = await createClient(t.deps);
    });
    after(() => t.close());

    it('every response: HSTS ≥ 1 year, nosniff, a CSP with frame-ancestors and base-uri none', async () => {
      for (const [method, url, headers, payload] of RESPONSES) {
        const res = await t.app.inject({ method: method as 'GET' | 'POST', url, headers, payload });
        const label = `${method} ${url}`;
        const hsts = /max-age=(\d+)/.exec(String(res.headers['strict-transport-security']));
        assert.ok(hsts && Number(hsts[1]) >= 31536000, `${label}: HSTS ${res.headers['strict-transport-security']}`);
        assert.equal(res.headers['x-content-type-options'], 'nosniff', label);
        const csp = String(res.headers['content-security-policy']);
        assert.match(csp, /frame-ancestors 'none'/, label);
        assert.match(csp, /base-uri 'none'/, label);
        if (String(res.headers['content-type']).startsWith('text/html')) assert.match(csp, /object-src 'none'/, label);
        else assert.match(csp, /default-src 'none'/, label);
      }
    });

    it('CORS: metadata and JWKS are public without credentials; the token endpoints never reflect an origin with credentials', async () => {
      for (const url of ['/.well-known/openid-configuration', '/.well-known/jwks.json']) {
        const res = await t.app.inject({ method: 'GET', url, headers: { origin: 'https://evil.example' } });
        assert.equal(res.headers['access-control-allow-origin'], '*', url);
        assert.equal(res.headers['access-control-allow-credentials'], undefined, url);
      }
      for (const url of ['/token', '/introspect', '/revoke', '/userinfo', '/api/v1/me']) {
        const res = await t.app.inject({
          method: 'POST',
          url,
          headers: { origin: 'https://evil.example', cookie: 'a=b', authorization: basic(c1.clientId, c1.clientSecret!), 'content-type': 'application/x-www-form-urlencoded' },
          payload: 'token=x&grant_type=refresh_token&refresh_token=x',
        });
        // The platform API takes bearer tokens only, never a cookie: any origin, `*`, never credentials (issue 18, http/cors.ts).
        assert.equal(res.headers['access-control-allow-origin'], url === '/api/v1/me' ? '*' : undefined, url);
        assert.equal(res.headers['access-control-allow-credentials'], undefined, url);
      }
    });

    it('plain-http calls to the API and token endpoints are answered, never redirected to https (no 301/308)', async () => {
      for (const [method, url] of [
        ['POST', '/token'],
        ['POST', '/introspect'],
        ['POST', '/revoke'],
        ['GET', '/userinfo'],
        ['GET', '/api/v1/me'],
        ['GET', '/.well-known/openid-configuration'],
      ] as const) {
        // inject speaks plain http; x-forwarded-proto says so too, as a proxy would.
        const res = await t.app.inject({ method, url, headers: { 'x-forwarded-proto': 'http', host: 'tessera.example', 'content-type': 'application/x-www-form-urlencoded' }, payload: method === 'POST' ? 'token=x' : undefined });
        assert.ok(![301, 302, 307, 308].includes(res.statusCode), `${method} ${url}: ${res.statusCode}`);
        assert.equal(res.headers.location, undefined, `${method} ${url}`);
      }
    });
  });
}
