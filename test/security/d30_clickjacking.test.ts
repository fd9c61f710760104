/**
 * SECURITY 30 — clickjacking (RFC 9700 §4.16, RFC 6749 §10.13): every page a person can be shown
 * — sign-in, approval, error pages, refusals, home, sign-out and "Manage applications" — and the 4xx answers around them
 * carry `Content-Security-Policy: frame-ancestors 'none'` and `X-Frame-Options: DENY`.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createClient, createUser, type TestClient } from '../support/fixtures.ts';
import { Browser, authorizeUrl, codeRequest, findForm, isApprovalPage, isSignInPage, type Response } from '../support/browser.ts';

const REDIRECT = 'https://app.example/cb';

function assertNotFramable(res: Response, label: string): void {
  const csp = String(res.headers['content-security-policy'] ?? '');
  assert.match(csp, /(^|;)\s*frame-ancestors 'none'\s*(;|$)/, `${label}: CSP ${csp}`);
  assert.equal(res.headers['x-frame-options'], 'DENY', label);
}

for (const dialect of dialects()) {
  describe(`SECURITY 30: clickjacking protection (${dialect})`, () => {
    let t: TestApp;
    let client: TestClient;

    before(async () => {
      t = await startTestApp({ dialect });
      await createUser(t.deps, 'alice@example.com', 'Alice');
      client = await createClient(t.deps, { redirectUris: [REDIRECT] });
    });
    after(() => t.close());

    it('the sign-in page (on its own, for a pending request, and after a failed attempt)', async () => {
      const browser = new Browser(t);
      const plain = await browser.get('/login');
      assert.ok(isSignInPage(plain));
      assertNotFramable(plain, 'GET /login');
      const pending = await browser.get(authorizeUrl(codeRequest(client.clientId, REDIRECT).params));
      assert.ok(isSignInPage(pending));
      assertNotFramable(pending, 'sign-in for /authorize');
      const failed = await browser.signInOn(pending, 'alice@example.com', 'wrong password');
      assert.equal(failed.statusCode, 401);
      assertNotFramable(failed, 'failed sign-in');
    });

    it('the approval page', async () => {
      const browser = new Browser(t);
      const start = await browser.get(authorizeUrl(codeRequest(client.clientId, REDIRECT, { scope: 'openid workitems:read' }).params));
      const page = await browser.follow(await browser.signInOn(start, 'alice@example.com'));
      assert.ok(isApprovalPage(page));
      assertNotFramable(page, 'approval page');
    });

    it('the account-apps pages: Manage applications, a grant, the revoke confirmation, a 404 and a refused revoke', async () => {
      const alice = (await t.deps.stores.users.findByEmail('alice@example.com'))!;
      const grant = await t.deps.stores.grants.approve(alice.id, client.clientId, ['openid', 'orgs:read'], t.clock.now());
      const browser = new Browser(t);
      await browser.signIn('alice@example.com');
      const pages: [string, string, number][] = [
        ['GET', '/profile/applications', 200],
        ['GET', `/profile/applications/${grant.id}`, 200],
        ['GET', `/profile/applications/${grant.id}/revoke`, 200],
        ['GET', '/profile/applications/revoke-all', 200],
        ['GET', '/profile/applications/no-such-grant', 404],
        ['POST', `/profile/applications/${grant.id}/revoke`, 403],
      ];
      for (const [method, path, status] of pages) {
        const res = method === 'GET' ? await browser.get(path) : await browser.post(path, {});
        assert.equal(res.statusCode, status, `${method} ${path}`);
        assertNotFramable(res, `${method} ${path}`);
      }
    });

    it('error pages: a bad redirect URI (400), a refused form post (403), an expired request, a body too large (413)', async () => {
      const browser = new Browser(t);
      const badRedirect = await browser.get(authorizeUrl(codeRequest(client.clientId, 'https://evil.example/cb').params));
      assert.equal(badRedirect.statusCode, 400);
      assert.equal(badRedirect.headers.location, undefined);
      assertNotFramable(badRedirect, 'error page 400');

      const forbidden = await browser.post('/login', { email: 'alice@example.com', password: 'x' });
      assert.equal(forbidden.statusCode, 403);
      assertNotFramable(forbidden, 'error page 403');

      const expired = await browser.get('/login?interaction=no-such-interaction');
      assert.ok(expired.statusCode >= 400 && expired.statusCode < 500, String(expired.statusCode));
      assertNotFramable(expired, 'unknown interaction');

      const tooLarge = await browser.post('/login', { email: 'alice@example.com', password: 'x'.repeat(200 * 1024) });
      assert.equal(tooLarge.statusCode, 413);
      assertNotFramable(tooLarge, 'error page 413');

      const malformed = await browser.get('/authorize?client_id=%E0%A4%A');
      assert.equal(malformed.statusCode, 400);
      assertNotFramable(malformed, 'malformed query');
    });

    it('home and sign-out confirmation pages', async () => {
      const browser = new Browser(t);
      await browser.signIn('alice@example.com');
      const home = await browser.get('/');
      assert.equal(home.statusCode, 200);
      assert.ok(findForm(home.body, /^\/logout\/confirm$/));
      assertNotFramable(home, 'home');
      const logout = await browser.get('/logout');
      assert.equal(logout.statusCode, 200);
      assertNotFramable(logout, 'sign-out confirmation');
    });

    it('404 and 405 answers, HTML and JSON alike', async () => {
      for (const [method, url, status] of [
        ['GET', '/no-such-page', 404],
        ['GET', '/interaction/x/decision', 405],
        ['PUT', '/login', 405],
        ['DELETE', '/authorize', 405],
        ['GET', '/token', 405],
        ['GET', '/api/v1/nothing', 404],
      ] as const) {
        const res = await t.app.inject({ method, url });
        assert.equal(res.statusCode, status, `${method} ${url}`);
        assertNotFramable(res, `${method} ${url}`);
      }
    });
  });
}
