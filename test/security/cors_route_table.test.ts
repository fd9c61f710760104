/**
 * Issue 18, SECURITY 7 and 39, from Fastify's own route table (test/support/route_table.ts, so a
 * new route is swept without editing this file): CORS is one rule in one place (src/http/cors.ts).
 * Every route gets a preflight and its own method from a single-page app's registered origin,
 * naming that app; only the endpoints of the table answer with CORS headers — /token, /revoke,
 * /par and /userinfo with the origin, discovery, JWKS and /api/v1 with `*` — and no route ever
 * answers with Access-Control-Allow-Credentials. /authorize and every page answer none.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createClient, type TestClient } from '../support/fixtures.ts';
import { collectRoutes, type Route } from '../support/route_table.ts';

const ORIGIN = 'https://spa.example';
const CLIENT_ENDPOINTS = new Set(['/token', '/revoke', '/par', '/userinfo']);
const PUBLIC_ENDPOINTS = new Set(['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server', '/.well-known/jwks.json']);

/** What Access-Control-Allow-Origin this URL may answer a preflight with, if any. */
function allowedOrigin(url: string): string | undefined {
  if (CLIENT_ENDPOINTS.has(url)) return ORIGIN;
  if (PUBLIC_ENDPOINTS.has(url) || url === '/api/v1' || url.startsWith('/api/v1/')) return '*';
  return undefined;
}

function corsHeaders(headers: Record<string, unknown>): string[] {
  return Object.keys(headers).filter((name) => /^access-control-/i.test(name));
}

for (const dialect of dialects()) {
  describe(`CORS only where http/cors.ts says, for every route (${dialect})`, () => {
    let t: TestApp;
    let spa: TestClient;
    let routes: Route[];

    before(async () => {
      const collected = collectRoutes();
      t = await startTestApp({ dialect });
      collected.stop();
      routes = collected.routes;
      spa = await createClient(t.deps, { spa: true, redirectUris: [`${ORIGIN}/callback`] });
    });
    after(() => t.close());

    it('a preflight from a single-page app’s origin is approved only by the endpoints of the table', async () => {
      const urls = [...new Set(routes.map((r) => r.url))];
      assert.ok(urls.length > 50, `the route table was collected (${urls.length} paths)`);
      const approved: string[] = [];
      for (const url of urls) {
        const path = url.replace(/:[^/]+/g, 'x').replace(/\*$/, 'x');
        for (const method of new Set(routes.filter((r) => r.url === url).map((r) => r.method))) {
          const res = await t.app.inject({ method: 'OPTIONS', url: path, headers: { origin: ORIGIN, 'access-control-request-method': method, 'access-control-request-headers': 'authorization, content-type, dpop' } });
          const label = `OPTIONS ${url} (for ${method})`;
          assert.equal(res.headers['access-control-allow-credentials'], undefined, label);
          const expected = allowedOrigin(url);
          if (expected === undefined) assert.deepEqual(corsHeaders(res.headers), [], label);
          else {
            assert.equal(res.statusCode, 204, label);
            assert.equal(res.headers['access-control-allow-origin'], expected, label);
            approved.push(url);
          }
        }
      }
      for (const url of [...CLIENT_ENDPOINTS, ...PUBLIC_ENDPOINTS, '/api/v1/me']) assert.ok(approved.includes(url), `${url} approves a preflight`);
    });

    it('each route answered with its own method from that origin, naming the app, carries CORS headers only where the table says', async () => {
      for (const route of routes) {
        if (route.method === 'OPTIONS' || route.method === 'HEAD') continue;
        const path = route.url.replace(/:[^/]+/g, 'x').replace(/\*$/, 'x');
        const withBody = route.method !== 'GET' && route.method !== 'DELETE';
        const res = await t.app.inject({
          method: route.method as 'GET',
          url: path,
          headers: { origin: ORIGIN, ...(withBody ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
          ...(withBody ? { payload: `client_id=${spa.clientId}&grant_type=refresh_token&refresh_token=tsr_x&token=x` } : {}),
        });
        const label = `${route.method} ${route.url} → ${res.statusCode}`;
        assert.equal(res.headers['access-control-allow-credentials'], undefined, label);
        const allowed = res.headers['access-control-allow-origin'];
        if (allowed === undefined) continue;
        const expected = allowedOrigin(route.url);
        assert.ok(expected !== undefined, `${label}: no CORS header outside the table (got ${String(allowed)})`);
        assert.equal(allowed, expected, label);
      }
      // /token itself, naming the app from its origin: readable (the actual answer is checked against the app).
      const token = await t.app.inject({ method: 'POST', url: '/token', headers: { origin: ORIGIN, 'content-type': 'application/x-www-form-urlencoded' }, payload: `client_id=${spa.clientId}&grant_type=refresh_token&refresh_token=tsr_x` });
      assert.equal(token.headers['access-control-allow-origin'], ORIGIN);
    });
  });
}
