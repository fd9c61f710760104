/**
 * SECURITY 7 — authorization endpoint hygiene (RFC 9700 §2.6, §4.2.4): no CORS on /authorize and
 * /token for any origin, preflights included (and never a reflected origin with credentials,
 * SECURITY 39); `Referrer-Policy: no-referrer` on the sign-in and approval pages, so the code and
 * state in their URLs do not leak to another site; and every asset those pages load is ours.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createClient, createUser, type TestClient } from '../support/fixtures.ts';
import { basic } from '../support/codes.ts';
import { Browser, authorizeUrl, codeRequest, isApprovalPage, isSignInPage, type Response } from '../support/browser.ts';

const REDIRECT = 'https://app.example/cb';
const EVIL = 'https://evil.example';

function assertNoCors(res: Response, label: string): void {
  for (const name of Object.keys(res.headers)) assert.doesNotMatch(name, /^access-control-/i, `${label}: ${name}`);
  assert.notEqual(res.statusCode, 500, label);
}

/** Every URL the page loads or links to: href, src, action, srcset, and url() in inline style. */
function pageUrls(html: string): string[] {
  const urls: string[] = [];
  for (const m of html.matchAll(/\b(?:href|src|action|srcset|poster|data)\s*=\s*"([^"]*)"/gi)) urls.push(m[1]!.replace(/&amp;/g, '&'));
  for (const m of html.matchAll(/url\(\s*['"]?([^'")]+)/gi)) urls.push(m[1]!);
  return urls;
}

/** Same-origin: a path that starts with one slash (not `//host`, not `/\host`). */
function assertSameOrigin(res: Response, label: string): void {
  const urls = pageUrls(res.body);
  assert.ok(urls.length > 0, `${label}: the page loads its stylesheet at least`);
  for (const url of urls) assert.match(url, /^\/(?![/\\])/, `${label}: ${url}`);
  // The page's own CSP allows nothing from elsewhere either.
  const csp = String(res.headers['content-security-policy']);
  assert.match(csp, /default-src 'none'/, label);
  assert.match(csp, /style-src 'self'(;|$)/, label);
  assert.doesNotMatch(csp, /script-src/, `${label}: no script at all`);
}

for (const dialect of dialects()) {
  describe(`SECURITY 7: no CORS, no referrer, same-origin assets (${dialect})`, () => {
    let t: TestApp;
    let client: TestClient;

    before(async () => {
      t = await startTestApp({ dialect });
      await createUser(t.deps, 'alice@example.com', 'Alice');
      client = await createClient(t.deps, { redirectUris: [REDIRECT] });
    });
    after(() => t.close());

    it('Origin: https://evil.example gets no Access-Control-* headers at /authorize: GET, POST and an OPTIONS preflight', async () => {
      const url = authorizeUrl(codeRequest(client.clientId, REDIRECT).params);
      const browser = new Browser(t);
      for (const method of ['GET', 'POST', 'OPTIONS'] as const) {
        const res = await browser.request({
          method,
          url,
          headers: { origin: EVIL, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, authorization' },
        });
        assertNoCors(res, `${method} /authorize`);
      }
    });

    it('Origin: https://evil.example gets no Access-Control-* headers at /token, /revoke, /introspect and /userinfo, preflight or not', async () => {
      for (const url of ['/token', '/revoke', '/introspect', '/userinfo']) {
        const preflight = await t.app.inject({
          method: 'OPTIONS',
          url,
          headers: { origin: EVIL, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
        });
        assertNoCors(preflight, `OPTIONS ${url}`);
        assert.notEqual(preflight.statusCode, 204, `OPTIONS ${url} is no preflight approval`);
        const post = await t.app.inject({
          method: 'POST',
          url,
          headers: { origin: EVIL, 'content-type': 'application/x-www-form-urlencoded', authorization: basic(client.clientId, client.clientSecret!), cookie: 'x=1' },
          payload: 'grant_type=refresh_token&refresh_token=tsr_x&token=x',
        });
        assertNoCors(post, `POST ${url}`);
        // SECURITY 39: never a reflected origin together with credentials.
        assert.notEqual(post.headers['access-control-allow-origin'], EVIL);
        assert.notEqual(post.headers['access-control-allow-credentials'], 'true');
      }
    });

    it('the sign-in pages and the interaction endpoints send no CORS headers either', async () => {
      for (const [method, url] of [
        ['GET', '/login'],
        ['OPTIONS', '/login'],
        ['OPTIONS', '/interaction/x/decision'],
        ['OPTIONS', '/logout'],
      ] as const) {
        const res = await t.app.inject({ method, url, headers: { origin: EVIL, 'access-control-request-method': 'POST' } });
        assertNoCors(res, `${method} ${url}`);
      }
    });

    it('the sign-in page: Referrer-Policy no-referrer, only same-origin assets', async () => {
      const browser = new Browser(t);
      for (const res of [await browser.get('/login'), await browser.get(authorizeUrl(codeRequest(client.clientId, REDIRECT).params))]) {
        assert.ok(isSignInPage(res));
        assert.equal(res.headers['referrer-policy'], 'no-referrer');
        assertSameOrigin(res, 'sign-in page');
      }
    });

    it('the approval page: Referrer-Policy no-referrer, only same-origin assets', async () => {
      const browser = new Browser(t);
      const start = await browser.get(authorizeUrl(codeRequest(client.clientId, REDIRECT, { scope: 'openid workitems:read' }).params));
      const page = await browser.follow(await browser.signInOn(start, 'alice@example.com'));
      assert.ok(isApprovalPage(page));
      assert.equal(page.headers['referrer-policy'], 'no-referrer');
      assertSameOrigin(page, 'approval page');
      // The stylesheet it names is really served from here.
      const css = pageUrls(page.body).find((u) => u.endsWith('.css'))!;
      const res = await t.app.inject({ method: 'GET', url: css });
      assert.equal(res.statusCode, 200);
      assert.doesNotMatch(res.body, /url\(\s*['"]?(https?:)?\/\//i, 'the stylesheet loads nothing from elsewhere');
      assert.doesNotMatch(res.body, /@import/i);
    });

    it('the error page: Referrer-Policy no-referrer, only same-origin assets', async () => {
      const res = await new Browser(t).get(authorizeUrl(codeRequest(client.clientId, 'https://evil.example/cb').params));
      assert.equal(res.statusCode, 400);
      assert.equal(res.headers['referrer-policy'], 'no-referrer');
      assertSameOrigin(res, 'error page');
    });
  });
}
