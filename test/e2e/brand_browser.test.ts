/**
 * The product's name and logo, and the plain-words error pages, in real Chromium (issue 20): the
 * operator's logo loads as an image under the pages' own CSP (no refusal), opened on its own it
 * runs no script, and the /authorize error pages read well at 320 px (no sideways scrolling, no
 * axe-core violation), the developer detail folded until opened.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, type TestApp } from '../support/app.ts';
import { startBrandedApp } from '../support/branded_app.ts';
import { createClient, type TestClient } from '../support/fixtures.ts';
import { authorizeUrl, codeRequest } from '../support/browser.ts';
import { chromiumPerFile } from '../support/chromium_per_file.ts';
import { cspViolations, recordingContext } from '../support/chromium.ts';
import { PHONE, audit, phoneContext } from '../support/phone_audit.ts';

const chromium = chromiumPerFile();

/** A wide wordmark with a script in it: the operator's file is trusted to be an image, never to run. */
const LOGO =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 160 32" width="160" height="32"><style>rect{fill:#0b6e4f}</style>' +
  '<script>document.documentElement.setAttribute("data-ran", "yes")</script><rect width="160" height="32" rx="6"/></svg>';

for (const dialect of dialects()) {
  describe(`the brand and the error pages in Chromium (${dialect})`, () => {
    let t: TestApp;
    let planner: TestClient;

    before(async () => {
      t = await startBrandedApp('Sprint Planner', { file: 'logo.svg', content: LOGO }, { dialect, listen: true });
      planner = await createClient(t.deps, { name: 'Board Sync', redirectUris: ['https://board.example/cb'], websiteUrl: 'https://board.example/' });
    });
    after(() => t.close());

    it('the logo loads beside the name under the page CSP, and runs no script opened on its own', async () => {
      const { context, origins } = await recordingContext(chromium(), { viewport: PHONE });
      try {
        const page = await context.newPage();
        const refused = cspViolations(page);
        await page.goto(`${t.issuer}/login`);
        const logo = page.locator('header.brand img.brand-logo');
        await logo.waitFor();
        const size = await logo.evaluate((img: HTMLImageElement) => (img.complete ? { w: img.naturalWidth, shown: img.getBoundingClientRect().height } : new Promise<{ w: number; shown: number }>((resolve) => img.addEventListener('load', () => resolve({ w: img.naturalWidth, shown: img.getBoundingClientRect().height })))));
        assert.equal(size.w, 160, 'the operator’s image rendered');
        assert.equal(size.shown, 32, 'at the header’s height');
        assert.equal(await page.locator('header.brand .brand-name').textContent(), 'Sprint Planner');
        assert.equal(await page.title(), 'Sign in · Sprint Planner');
        assert.deepEqual(refused, [], 'no CSP refusal on the page');
        assert.deepEqual([...origins], [t.issuer], 'nothing loaded from elsewhere');

        const src = await logo.getAttribute('src');
        await page.goto(t.issuer + src);
        assert.equal(await page.evaluate(() => document.documentElement.getAttribute('data-ran')), null, 'the SVG’s script did not run');
      } finally {
        await context.close();
      }
    });

    for (const colorScheme of ['light', 'dark'] as const) {
      it(`the /authorize error pages at 320 px (${colorScheme}): plain words, the service named, the detail folded`, async () => {
        const context = await phoneContext(chromium(), colorScheme);
        try {
          const page = await context.newPage();
          page.setDefaultTimeout(10_000);
          const failures: string[] = [];

          const unknown = await page.goto(t.issuer + authorizeUrl(codeRequest('no-such-client', 'https://board.example/cb').params));
          assert.equal(unknown?.status(), 400);
          assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'This link is broken');
          assert.equal(await page.locator('#next-step').textContent(), 'Go back to the page you came from and try again.');
          failures.push(...(await audit(page, 'unknown client')));

          const unregistered = await page.goto(t.issuer + authorizeUrl(codeRequest(planner.clientId, 'https://elsewhere.example/cb').params));
          assert.equal(unregistered?.status(), 400);
          assert.equal(await page.getByRole('link', { name: 'Board Sync' }).getAttribute('href'), 'https://board.example/');
          const code = page.locator('details.developer-detail code');
          assert.equal(await code.isVisible(), false, 'the developer detail is folded');
          await page.getByText('For the service’s developer').click();
          assert.equal(await code.textContent(), 'invalid_request');
          assert.ok(await code.isVisible(), 'and opens with one click');
          failures.push(...(await audit(page, 'unregistered redirect_uri, detail open')));
          assert.deepEqual(failures, [], `\n  ${failures.join('\n  ')}`);
        } finally {
          await context.close();
        }
      });
    }
  });
}
