/**
 * examples/sample-spa end to end (issue 18): its static server runs as its own process against a
 * live Tessera; Chromium opens the app, clicks sign in, signs in on Tessera and approves; back in
 * the app, oauth4webapi running in the page redeems the code cross-origin (CORS for the app's
 * registered origin) with a DPoP proof from a non-extractable key, and the page lists the person's
 * open work items from /api/v1 with DPoP-bound tokens.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, freePort, startTestApp, type TestApp } from '../support/app.ts';
import { createClient, PASSWORD, type TestClient } from '../support/fixtures.ts';
import { seedCarolsWorkItems, startSample } from '../support/samples.ts';
import { chromiumPerFile } from '../support/chromium_per_file.ts';

const chromium = chromiumPerFile();

for (const dialect of dialects()) {
  describe(`examples/sample-spa (${dialect})`, () => {
    let t: TestApp;
    let spa: TestClient;
    let port: number;
    before(async () => {
      t = await startTestApp({ dialect, listen: true });
      await seedCarolsWorkItems(t.deps);
      port = await freePort();
      spa = await createClient(t.deps, { name: 'Sample SPA', spa: true, redirectUris: [`http://127.0.0.1:${port}/callback`], scopes: ['openid', 'orgs:read', 'workitems:read'] });
    });
    after(() => t.close());

    it('signs in from the browser with PKCE and DPoP, and lists the open work items', async () => {
      const sample = startSample('examples/sample-spa/server.mjs', { TESSERA_URL: t.issuer, CLIENT_ID: spa.clientId, PORT: String(port) });
      const context = await chromium().newContext();
      try {
        await sample.waitFor(/listening on/);
        const app = `http://127.0.0.1:${port}`;
        const page = await context.newPage();
        const problems: string[] = [];
        page.on('console', (message) => {
          // Chromium asks Tessera's sign-in page for an icon it does not have; that is not the app's problem.
          if (message.type() === 'error' && !message.location().url.endsWith('/favicon.ico')) problems.push(`${message.text()} (${message.location().url})`);
        });
        page.on('pageerror', (err) => problems.push(err.message));
        page.on('response', (response) => {
          if (response.status() >= 400) problems.push(`${response.status()} ${response.url()}`);
        });
        // allHeaders(): what went on the wire, Origin included (headers() leaves out what the network stack adds).
        const tokenRequests: Promise<Record<string, string>>[] = [];
        page.on('request', (request) => {
          if (request.url() === `${t.issuer}/token` && request.method() === 'POST') tokenRequests.push(request.allHeaders());
        });

        await page.goto(`${app}/`);
        await page.getByRole('button', { name: 'Sign in with Tessera' }).click();
        await page.waitForURL(`${t.issuer}/**`);
        await page.getByLabel('Email').fill('carol@example.com');
        await page.getByRole('button', { name: 'Continue' }).click();
        await page.getByLabel('Password').fill(PASSWORD);
        await page.getByRole('button', { name: 'Sign in', exact: true }).click();
        await page.getByRole('button', { name: 'Approve' }).waitFor({ timeout: 5000 }).catch(async (err: unknown) => {
          throw new Error(`no approval page at ${page.url()}\n${(await page.content()).slice(0, 1500)}`, { cause: err });
        });
        assert.match(await page.content(), /Sample SPA/);
        await Promise.all([page.waitForURL(`${app}/**`), page.getByRole('button', { name: 'Approve' }).click()]);

        await page.locator('#work-items li').first().waitFor({ timeout: 10_000 }).catch(async (err: unknown) => {
          throw new Error(`no work items: ${await page.locator('#status').textContent()}\n${problems.join('\n')}\n${sample.output()}`, { cause: err });
        });
        const items = await page.locator('#work-items li').allTextContents();
        assert.deepEqual(items, ['acme/web-1 [active] Fix the login redirect']);
        assert.equal(await page.locator('#token-type').textContent(), 'DPoP-bound');
        assert.equal(await page.locator('#status').textContent(), 'Signed in.');
        // The code left the address bar.
        assert.equal(page.url(), `${app}/`);
        // The code was redeemed by the page itself, cross-origin, with a DPoP proof.
        assert.equal(tokenRequests.length, 1);
        const sent = await tokenRequests[0]!;
        assert.equal(sent.origin, app);
        assert.ok(sent.dpop, 'a DPoP proof at /token');
        assert.deepEqual(problems, []);

        // Tessera's side: one live grant for the app.
        const grants = await t.deps.stores.apps.liveGrantIds(spa.clientId, t.clock.now());
        assert.equal(grants.length, 1);
      } finally {
        await context.close();
        await sample.stop();
      }
    });
  });
}
