/**
 * Browsers get an HTML 404 and 405; JSON clients keep JSON (issue 20, "Pages a person can read"),
 * over HTTP: a request that accepts text/html gets a page in the site's frame, in plain words, with
 * a way back, its status and `Allow` kept; without text/html, and on the protocol's and the APIs'
 * paths whatever the caller accepts, the JSON bodies stay as they were.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { WEBAUTHN_LIBRARY_BASE } from '../../src/interaction/assets/paths.ts';

/** What Chromium sends when a person opens an address. */
const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';

for (const dialect of dialects()) {
  describe(`HTML 404 and 405 for browsers, JSON for clients (${dialect})`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp({ dialect });
    });
    after(() => t.close());

    const get = (url: string, accept?: string, method: 'GET' | 'DELETE' | 'PUT' = 'GET') =>
      t.app.inject({ method, url, headers: accept === undefined ? {} : { accept } });

    function assertPage(res: Awaited<ReturnType<typeof get>>, status: number, heading: string): void {
      assert.equal(res.statusCode, status);
      assert.match(String(res.headers['content-type']), /^text\/html/);
      assert.match(res.body, new RegExp(`<h1>${heading}</h1>`));
      assert.match(res.body, /<a href="\/">Go to the start page<\/a>/, 'a way back');
      assert.match(res.body, /<link rel="stylesheet" href="\/assets\/tessera.css"\/>/, 'in the site’s frame');
      assert.match(String(res.headers['content-security-policy']), /default-src 'none'; style-src 'self'/);
      assert.equal(res.headers['cache-control'], 'no-store');
      assert.doesNotMatch(res.body, /<script/);
    }

    it('a browser opening an address with nothing behind it reads a 404 page', async () => {
      assertPage(await get('/no/such/page', BROWSER_ACCEPT), 404, 'Page not found');
      assertPage(await get('/profile/nothing?x=1', 'text/html'), 404, 'Page not found');
    });

    it('a browser opening an address that only takes a form post reads a 405 page, with Allow', async () => {
      const res = await get('/profile/name', BROWSER_ACCEPT);
      assertPage(res, 405, 'This page cannot be opened this way');
      assert.equal(res.headers.allow, 'POST');
      assertPage(await get('/logout/confirm', BROWSER_ACCEPT), 405, 'This page cannot be opened this way');
    });

    it('a client that does not ask for HTML keeps the JSON bodies', async () => {
      for (const accept of [undefined, 'application/json', '*/*']) {
        const missing = await get('/no/such/page', accept);
        assert.equal(missing.statusCode, 404);
        assert.deepEqual(missing.json(), { error: 'not_found', error_description: 'There is nothing at this address.' });
        const method = await get('/profile/name', accept);
        assert.equal(method.statusCode, 405);
        assert.equal(method.headers.allow, 'POST');
        assert.deepEqual(method.json(), { error: 'invalid_request', error_description: 'This method is not allowed here.' });
      }
    });

    it('the protocol’s and the APIs’ paths answer JSON even to a browser', async () => {
      for (const url of ['/token', '/introspect', '/revoke', '/par', '/device_authorization']) {
        const res = await get(url, BROWSER_ACCEPT);
        assert.equal(res.statusCode, 405, url);
        assert.match(String(res.headers['content-type']), /^application\/json/, url);
        assert.equal(res.json().error, 'invalid_request', url);
      }
      for (const url of ['/api/v1/nothing', '/developers/api/v1/nothing', '/.well-known/nothing', '/token/x', '/userinfo/x', '/register/x', '/jwks', '/ssf/nothing']) {
        const res = await get(url, BROWSER_ACCEPT);
        assert.equal(res.statusCode, 404, url);
        assert.match(String(res.headers['content-type']), /^application\/json/, url);
      }
      const api = await get('/api/v1/orgs', BROWSER_ACCEPT, 'DELETE');
      assert.equal(api.statusCode, 405);
      assert.match(String(api.headers['content-type']), /^application\/problem\+json/);
      assert.equal(api.json().code, 'method_not_allowed');
    });

    it('a 404 that is not JSON is left as it is', async () => {
      // An unknown file of the WebAuthn library is a plain-text 404; the hook replaces JSON only.
      const res = await get(`${WEBAUTHN_LIBRARY_BASE}none.js`, BROWSER_ACCEPT);
      assert.equal(res.statusCode, 404);
      assert.match(String(res.headers['content-type']), /^text\/plain/);
    });
  });
}
