/**
 * The brand mark as the pages' icon (issue 20: every page logged a 404 for /favicon.ico), over
 * HTTP: the SVG under the static assets with their caching, /favicon.ico answering the same, and a
 * `<link rel="icon">` in the page frame, which the pages' CSP (img-src 'self') lets load.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';

for (const dialect of dialects()) {
  describe(`the icon (${dialect})`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp({ dialect });
    });
    after(() => t.close());

    it('the built-in brand mark is an SVG under /assets, cached like the stylesheet, and /favicon.ico answers it (no PRODUCT_LOGO)', async () => {
      const css = await t.app.inject({ method: 'GET', url: '/assets/tessera.css' });
      for (const url of ['/assets/tessera.svg', '/favicon.ico']) {
        const res = await t.app.inject({ method: 'GET', url });
        assert.equal(res.statusCode, 200, url);
        assert.equal(res.headers['content-type'], 'image/svg+xml', url);
        assert.equal(res.headers['cache-control'], css.headers['cache-control'], url);
        assert.match(res.body, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/, url);
        assert.doesNotMatch(res.body, /<script|on\w+=/i, `${url}: no script in the image`);
      }
    });

    it('every page links the icon, and its CSP allows images from our origin', async () => {
      for (const url of ['/login', '/signup', '/forgot-password']) {
        const res = await t.app.inject({ method: 'GET', url });
        assert.equal(res.statusCode, 200, url);
        assert.match(res.body, /<link rel="icon" href="\/assets\/logo\?v=[\w-]{16}" type="image\/svg\+xml"\/>/, url);
        assert.match(String(res.headers['content-security-policy']), /img-src 'self'/, url);
      }
      const missing = await t.app.inject({ method: 'GET', url: '/nowhere', headers: { accept: 'text/html' } });
      assert.match(missing.body, /<link rel="icon" href="\/assets\/logo\?v=/, 'the 404 page too');
    });
  });
}
