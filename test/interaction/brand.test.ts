/**
 * The product's name and logo on the pages (issue 20, PRODUCT_NAME and PRODUCT_LOGO): served from
 * one fixed path with its type, a year's cache (the pages link it by a version of its bytes) and a
 * CSP under which an SVG cannot run script; shown as an <img> beside the name in the header and
 * named in the title of the sign-in page, the approval page and an error page. Real app, real
 * database, real files.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { startBrandedApp } from '../support/branded_app.ts';
import { createClient, createUser, type TestClient } from '../support/fixtures.ts';
import { Browser, authorizeUrl, codeRequest, isApprovalPage, isSignInPage, type Response } from '../support/browser.ts';

const SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 8 8"><style>rect{fill:#c33}</style><rect width="8" height="8"/></svg>';
const REDIRECT = 'https://planner.example/cb';

/** The header's logo and name, and the title, of a page. */
function brandOf(page: Response): { logo: string | undefined; name: string | undefined; title: string | undefined } {
  const header = /<header class="brand"><span class="brand-mark"><img class="brand-logo" src="([^"]+)" alt height="32"\/><span class="brand-name">([^<]*)<\/span>/.exec(page.body);
  return { logo: header?.[1], name: header?.[2], title: /<title>([^<]*)<\/title>/.exec(page.body)?.[1] };
}

for (const dialect of dialects()) {
  describe(`the product's name and logo (${dialect})`, () => {
    let t: TestApp;
    let plain: TestApp;
    let client: TestClient;

    before(async () => {
      t = await startBrandedApp('Sprint Planner', { file: 'planner.svg', content: SVG }, { dialect });
      plain = await startTestApp({ dialect });
      await createUser(t.deps, 'alice@example.com');
      client = await createClient(t.deps, { name: 'Board Sync', redirectUris: [REDIRECT] });
    });
    after(async () => {
      await t.close();
      await plain.close();
    });

    it('serves the configured logo at /assets/logo with its type, a long cache and a CSP that runs no script', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/assets/logo' });
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['content-type'], 'image/svg+xml');
      assert.equal(res.body, SVG, 'the operator’s file, byte for byte');
      assert.equal(res.headers['cache-control'], 'public, max-age=31536000, immutable');
      assert.equal(res.headers['content-security-policy'], "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; sandbox");
      assert.equal(res.headers['x-content-type-options'], 'nosniff');
      const favicon = await t.app.inject({ method: 'GET', url: '/favicon.ico' });
      assert.equal(favicon.body, SVG, '/favicon.ico is the product logo too');
      assert.equal(favicon.headers['cache-control'], 'public, max-age=3600', 'its name carries no version: a short cache');
    });

    it('without PRODUCT_LOGO serves the built-in mark there, and the two versions differ', async () => {
      const res = await plain.app.inject({ method: 'GET', url: '/assets/logo' });
      assert.equal(res.headers['content-type'], 'image/svg+xml');
      assert.match(res.body, /<title>Tessera<\/title>/);
      const page = brandOf(await plain.app.inject({ method: 'GET', url: '/login' }));
      assert.equal(page.name, 'Tessera');
      assert.equal(page.title, 'Sign in · Tessera');
      const branded = brandOf(await t.app.inject({ method: 'GET', url: '/login' }));
      assert.match(page.logo ?? '', /^\/assets\/logo\?v=[\w-]{16}$/);
      assert.notEqual(page.logo, branded.logo, 'another logo is another address, so a cached one is never shown');
    });

    it('the sign-in page, the approval page and an error page carry the name and the logo', async () => {
      const browser = new Browser(t);
      const signIn = await browser.follow(await browser.get(authorizeUrl(codeRequest(client.clientId, REDIRECT).params)));
      assert.ok(isSignInPage(signIn));
      assert.match(signIn.body, /New to Sprint Planner\?/, 'the page’s own words name the product too');
      const approval = await browser.follow(await browser.signInOn(signIn, 'alice@example.com'));
      assert.ok(isApprovalPage(approval), approval.body.slice(0, 500));
      assert.match(approval.body, /wants to access your Sprint Planner account/);
      assert.match(approval.body, /Sprint Planner has not verified who publishes this app/);
      assert.doesNotMatch(approval.body.replace(/<[^>]+>/g, ''), /Tessera/, 'the approval page says the platform’s own name only');
      const error = await browser.get(authorizeUrl(codeRequest('no-such-client', REDIRECT).params));
      assert.equal(error.statusCode, 400);
      const logo = brandOf(await t.app.inject({ method: 'GET', url: '/login' })).logo;
      for (const [what, page] of [['sign-in', signIn], ['approval', approval], ['error', error]] as const) {
        const brand = brandOf(page);
        assert.equal(brand.name, 'Sprint Planner', what);
        assert.equal(brand.logo, logo, `${what}: the logo, as an <img> from our origin`);
        assert.match(brand.title ?? '', / · Sprint Planner$/, `${what}: the title names the product`);
        assert.doesNotMatch(page.body, /<svg/, `${what}: the operator's SVG is never inlined`);
        assert.match(String(page.headers['content-security-policy']), /img-src 'self'[;\s]/, `${what}: the page CSP is unchanged`);
        assert.doesNotMatch(page.body, /· Tessera</, `${what}: no page title still says Tessera`);
      }
      assert.equal(brandOf(error).title, 'This link is broken · Sprint Planner');
    });

    it('the 404 page and the API docs page are in the same frame', async () => {
      for (const url of ['/nowhere', '/api/v1/docs']) {
        const res = await t.app.inject({ method: 'GET', url, headers: { accept: 'text/html' } });
        assert.equal(brandOf(res).name, 'Sprint Planner', url);
      }
    });
  });
}
