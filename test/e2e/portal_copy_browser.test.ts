/**
 * The developer portal's second round (issue 20) in real Chromium at 320 px: the Copy buttons of
 * the client id and the secret copy with navigator.clipboard from our own script under the pages'
 * CSP (no violation reported) and say "Copied"; without JavaScript they are absent and the values
 * still plain text. axe-core finds no violation, light and dark, on the pages this round changed:
 * the app form with its required marks, the secret shown once, an app at its two-secret limit,
 * the developer guide.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { BrowserContext, Page } from 'playwright-core';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { Browser } from '../support/browser.ts';
import { createUser } from '../support/fixtures.ts';
import { cspViolations } from '../support/chromium.ts';
import { chromiumPerFile } from '../support/chromium_per_file.ts';
import { PHONE, audit, phoneContext } from '../support/phone_audit.ts';

const chromium = chromiumPerFile();

for (const dialect of dialects()) {
  describe(`portal copy buttons in Chromium (${dialect})`, () => {
    let t: TestApp;
    let session: { name: string; value: string };

    before(async () => {
      t = await startTestApp({ dialect, listen: true });
      await createUser(t.deps, 'dana@example.com', 'Dana');
      const http = new Browser(t);
      assert.equal((await http.signIn('dana@example.com')).statusCode, 303);
      session = http.sessionCookie()!;
    });
    after(async () => {
      await t?.close();
    });

    /** Dana, signed in, allowed to use the clipboard. */
    async function signedIn(context: BrowserContext): Promise<Page> {
      await context.addCookies([{ ...session, url: t.issuer }]);
      await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: t.issuer });
      return context.newPage();
    }

    /** Registers a web app through the form; returns its client id and secret from the page shown once. */
    async function register(page: Page, name: string): Promise<{ clientId: string; secret: string }> {
      await page.goto(`${t.issuer}/developers/apps/new`);
      // By its accessible name: the required mark beside it is aria-hidden (the field says `required`).
      await page.getByRole('textbox', { name: 'Name', exact: true }).fill(name);
      await page.getByLabel('Callback URLs').fill('https://clip.example/cb');
      await page.getByRole('button', { name: 'Register' }).click();
      return { secret: (await page.locator('#client-secret').textContent())!, clientId: (await page.locator('#client-id').textContent())! };
    }

    /** Presses Copy beside `id` and waits for "Copied". */
    async function copy(page: Page, id: 'client-id' | 'client-secret'): Promise<string> {
      await page.getByRole('button', { name: `Copy the ${id.replace('-', '_')}` }).click();
      await page.locator(`[data-copy="${id}"] [role=status]`).filter({ hasText: 'Copied' }).waitFor({ timeout: 5000 });
      return page.evaluate(() => navigator.clipboard.readText());
    }

    it('copies the client id and the secret with our own script, under the pages\' CSP, and says so', async () => {
      const context = await chromium().newContext({ viewport: PHONE });
      try {
        const page = await signedIn(context);
        const violations = cspViolations(page);
        const { clientId, secret } = await register(page, 'Clipboard Co');
        assert.match(secret, /^tss_/);
        assert.equal(await copy(page, 'client-secret'), secret);
        assert.equal(await copy(page, 'client-id'), clientId);
        await page.goto(`${t.issuer}/developers/apps/${clientId}`);
        await page.evaluate(() => navigator.clipboard.writeText(''));
        assert.equal(await copy(page, 'client-id'), clientId, 'the app page copies its client id too');
        assert.deepEqual(violations, [], 'the CSP refused nothing: the script is ours, and nothing is inline');
      } finally {
        await context.close();
      }
    });

    it('axe-core finds no violation at 320 px, light and dark: the form, the secret after copying, the two-secret limit, the guide', async () => {
      const failures: string[] = [];
      for (const scheme of ['light', 'dark'] as const) {
        const context = await phoneContext(chromium(), scheme);
        try {
          const page = await signedIn(context);
          await page.goto(`${t.issuer}/developers/apps/new`);
          failures.push(...(await audit(page, `${scheme} app form`)));
          const { clientId } = await register(page, `Audited (${scheme})`);
          await copy(page, 'client-secret');
          failures.push(...(await audit(page, `${scheme} secret shown once, copied`)));
          await page.goto(`${t.issuer}/developers/apps/${clientId}`);
          await page.getByRole('button', { name: 'Create a new secret' }).click();
          await page.locator('#client-secret').waitFor();
          await page.goto(`${t.issuer}/developers/apps/${clientId}`);
          await page.getByText('Two secrets are active already: revoke one first.').waitFor();
          assert.equal(await page.getByRole('button', { name: 'Create a new secret' }).isDisabled(), true);
          failures.push(...(await audit(page, `${scheme} app at its two-secret limit`)));
          await page.getByRole('link', { name: 'developer guide', exact: true }).click(); // the usage panel's link
          await page.getByRole('heading', { name: 'Developer guide', level: 1 }).waitFor();
          failures.push(...(await audit(page, `${scheme} developer guide`)));
        } finally {
          await context.close();
        }
      }
      assert.deepEqual(failures, []);
    });

    it('without JavaScript there is no Copy button, and the values are plain text to select', async () => {
      const context = await chromium().newContext({ viewport: PHONE, javaScriptEnabled: false });
      try {
        await context.addCookies([{ ...session, url: t.issuer }]);
        const page = await context.newPage();
        const [app] = await t.deps.stores.apps.listByOwner((await t.deps.stores.users.findByEmail('dana@example.com'))!.id);
        await page.goto(`${t.issuer}/developers/apps/${app!.id}`);
        assert.equal(await page.locator('#client-id').textContent(), app!.id);
        assert.equal(await page.locator('#client-id').isVisible(), true);
        assert.equal(await page.getByRole('button', { name: 'Copy the client_id' }).count(), 0, 'hidden: not in the accessibility tree');
        assert.equal(await page.locator('[data-copy="client-id"] button').isVisible(), false);
      } finally {
        await context.close();
      }
    });
  });
}
