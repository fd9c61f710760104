/**
 * The device flow in real Chromium (issue 17): a person signs in from /device, gets the code filled
 * in from verification_uri_complete, finds Deny focused, approves, and the device's poll gets its
 * tokens. axe-core (WCAG 2.0 A/AA, 2.1 AA) finds no serious or critical violation on the code page
 * and the confirm page, light and dark, at 320 px (without scrolling sideways) and 1280 px.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AxeResults } from 'axe-core';
import type { Page } from 'playwright-core';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createClient, createUser, PASSWORD, type TestClient } from '../support/fixtures.ts';
import { chromiumPerFile } from '../support/chromium_per_file.ts';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
const chromium = chromiumPerFile();

async function axeFailures(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: AXE_SOURCE });
  await page.evaluate('globalThis.__name = (f) => f');
  const results = await page.evaluate(() =>
    (globalThis as unknown as { axe: { run(c: unknown, o: unknown): Promise<AxeResults> } }).axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21aa'] },
      resultTypes: ['violations'],
    }),
  );
  const failures = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  const wide = await page.evaluate(() => document.scrollingElement!.scrollWidth > innerWidth);
  if (wide) failures.push('scrolls sideways');
  return failures;
}

for (const dialect of dialects()) {
  describe(`device flow in Chromium (${dialect})`, () => {
    let t: TestApp;
    let cli: TestClient;
    before(async () => {
      t = await startTestApp({ dialect, listen: true });
      await createUser(t.deps, 'bob@example.com', 'Bob');
      cli = await createClient(t.deps, { name: 'Work CLI', public: true, redirectUris: ['http://127.0.0.1/callback'], scopes: ['openid', 'offline_access', 'workitems:read'] });
      await t.deps.stores.apps.update({ ...cli.app, deviceFlow: true }, t.clock.now());
      t.deps.clients.invalidate(cli.clientId);
    });
    after(() => t.close());

    async function post(path: string, form: Record<string, string>): Promise<Record<string, string>> {
      const res = await fetch(t.issuer + path, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'work-cli/1.4' }, body: new URLSearchParams(form) });
      return (await res.json()) as Record<string, string>;
    }

    it('signs in, compares the filled-in code, approves with Deny focused first; the device gets tokens; no axe violations', async () => {
      const device = await post('/device_authorization', { client_id: cli.clientId, scope: 'openid offline_access workitems:read' });
      const failures: string[] = [];
      for (const colorScheme of ['light', 'dark'] as const) {
        for (const viewport of [{ width: 320, height: 640 }, { width: 1280, height: 900 }]) {
          // bypassCSP only so axe-core's script can be injected: the pages' CSP (rightly) allows no script.
          const context = await chromium().newContext({ bypassCSP: true, colorScheme, viewport });
          try {
            const page = await context.newPage();
            await page.goto(device.verification_uri_complete!);
            // Signed out: the sign-in page first, then back to /device with the code still filled in.
            await page.getByLabel('Email').fill('bob@example.com');
            await page.getByRole('button', { name: 'Continue' }).click();
            await page.getByLabel('Password').fill(PASSWORD);
            await Promise.all([page.waitForURL(`${t.issuer}/device/${device.user_code!.replace('-', '')}`), page.getByRole('button', { name: 'Sign in', exact: true }).click()]);
            assert.equal(await page.getByLabel('Code').inputValue(), device.user_code);
            failures.push(...(await axeFailures(page)).map((f) => `code page ${colorScheme} ${viewport.width}: ${f}`));
            await page.getByRole('button', { name: 'Continue' }).click();
            await page.waitForSelector('#requester-ip');
            assert.equal(await page.evaluate(() => (document.activeElement as HTMLButtonElement | null)?.value), 'deny');
            failures.push(...(await axeFailures(page)).map((f) => `confirm page ${colorScheme} ${viewport.width}: ${f}`));
          } finally {
            await context.close();
          }
        }
      }
      assert.deepEqual(failures, []);

      // The person approves (Tab from Deny to Approve, Enter), and the device's next poll is answered.
      const context = await chromium().newContext();
      try {
        const page = await context.newPage();
        await page.goto(`${t.issuer}/login?return_to=%2Fdevice`);
        await page.getByLabel('Email').fill('bob@example.com');
        await page.getByRole('button', { name: 'Continue' }).click();
        await page.getByLabel('Password').fill(PASSWORD);
        await Promise.all([page.waitForURL(`${t.issuer}/device`), page.getByRole('button', { name: 'Sign in', exact: true }).click()]);
        await page.getByLabel('Code').fill(device.user_code!.toLowerCase());
        await page.getByRole('button', { name: 'Continue' }).click();
        assert.match((await page.locator('#requester-agent').textContent()) ?? '', /work-cli\/1\.4/);
        await page.keyboard.press('Tab');
        assert.equal(await page.evaluate(() => (document.activeElement as HTMLButtonElement | null)?.value), 'approve');
        await Promise.all([page.waitForSelector('#device-outcome'), page.keyboard.press('Enter')]);
        assert.match((await page.locator('h1').textContent()) ?? '', /Device connected/);
      } finally {
        await context.close();
      }
      const tokens = await post('/token', { grant_type: GRANT, device_code: device.device_code!, client_id: cli.clientId });
      assert.equal(tokens.scope, 'openid offline_access workitems:read', JSON.stringify(tokens));
    });
  });
}
