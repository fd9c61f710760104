/**
 * The unverified-service warning and an incremental approval page in real Chromium (issue 20,
 * "Friction where the risk is"), at 320 px, light and dark: axe-core finds no violation and nothing
 * scrolls sideways (test/support/phone_audit.ts). A person passes the warning with "Continue", the
 * approval page shows what was allowed before, collapsed, and opens it; "Back to safety" lands on
 * the service's callback with error=access_denied. Every form submits under the pages' CSP.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createClient, createUser, PASSWORD, type TestClient } from '../support/fixtures.ts';
import { authorizeUrl, codeRequest } from '../support/browser.ts';
import { chromiumPerFile } from '../support/chromium_per_file.ts';
import { cspViolations, startCallbackServer } from '../support/chromium.ts';
import { audit, phoneContext } from '../support/phone_audit.ts';
import type { User } from '../../src/domain/users.ts';

const chromium = chromiumPerFile();

for (const dialect of dialects()) {
  describe(`the unverified-service warning and an incremental approval in Chromium (${dialect})`, () => {
    let t: TestApp;
    let callback: Awaited<ReturnType<typeof startCallbackServer>>;
    let dana: User;

    before(async () => {
      t = await startTestApp({ dialect, listen: true, env: { THROTTLE_LOGIN_PER_IP: '1000/300' } });
      callback = await startCallbackServer();
      dana = await createUser(t.deps, 'dana.scully.with.a.long.address@example.com', 'Dana Scully');
      await t.deps.stores.organizations.create({ slug: 'acme', name: 'Acme Corp', ownerUserId: dana.id }, t.clock.now());
    });

    /** An unverified service Dana already allowed to read, for 7 days. */
    async function readingService(): Promise<TestClient> {
      const service = await createClient(t.deps, { name: 'Quick Sprint Board For Very Long Names', redirectUris: [callback.url] });
      const now = t.clock.now();
      await t.deps.stores.grants.approve(dana.id, service.clientId, ['openid', 'offline_access', 'orgs:read', 'workitems:read'], now, {
        orgIds: 'keep',
        expiresAt: now + 7 * 86_400,
        narrowingUntil: now,
      });
      return service;
    }
    after(async () => {
      await callback?.close();
      await t?.close();
    });

    async function signIn(page: Page, service: TestClient, scope: string): Promise<void> {
      await page.goto(t.issuer + authorizeUrl(codeRequest(service.clientId, callback.url, { scope }).params));
      await page.getByLabel('Email').fill('dana.scully.with.a.long.address@example.com');
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    }

    for (const colorScheme of ['light', 'dark'] as const) {
      it(`the warning, then the approval page with what was allowed before (${colorScheme}, 320 px)`, async () => {
        const context = await phoneContext(chromium(), colorScheme);
        try {
          const page = await context.newPage();
          page.setDefaultTimeout(10_000);
          const violations = cspViolations(page);
          const failures: string[] = [];
          await signIn(page, await readingService(), 'openid offline_access orgs:read workitems:read workitems:write');

          await page.getByRole('heading', { name: 'This service has not been verified' }).waitFor();
          assert.equal(await page.getByRole('button', { name: 'Approve' }).count(), 0);
          // "Back to safety" is the first button of the page, the one the eye and the Tab key reach first.
          assert.equal((await page.getByRole('button').first().textContent())?.trim(), 'Back to safety');
          failures.push(...(await audit(page, `${colorScheme} warning`)));

          await page.getByRole('button', { name: 'Continue to Quick Sprint Board For Very Long Names' }).click();
          await page.getByRole('button', { name: 'Approve' }).waitFor();
          const before = page.locator('details.allowed-before');
          assert.equal(await before.getAttribute('open'), null, 'collapsed');
          assert.equal(await before.getByText('Read work items in your organizations.').isVisible(), false);
          assert.ok(await page.locator('fieldset.scopes').getByText('Create, change and delete work items in your organizations.').isVisible());
          failures.push(...(await audit(page, `${colorScheme} approval, asking for more`)));
          await before.locator('summary').click();
          assert.ok(await before.getByText('Read work items in your organizations.').isVisible());
          assert.ok(await before.getByText(/Keep this access when you are not using the service, until .+ at the latest\./).isVisible());
          failures.push(...(await audit(page, `${colorScheme} approval, what was allowed before opened`)));

          await Promise.all([page.waitForURL((u) => u.href.startsWith(callback.url)), page.getByRole('button', { name: 'Approve' }).click()]);
          assert.ok(new URL(page.url()).searchParams.get('code'));
          assert.deepEqual(failures, [], `\n  ${failures.join('\n  ')}`);
          assert.deepEqual(violations, []);
        } finally {
          await context.close();
        }
      });
    }

    it('"Back to safety" returns to the service with error=access_denied', async () => {
      const context = await phoneContext(chromium(), 'light');
      try {
        const page = await context.newPage();
        page.setDefaultTimeout(10_000);
        const violations = cspViolations(page);
        await signIn(page, await readingService(), 'openid workitems:write');
        await page.getByRole('heading', { name: 'This service has not been verified' }).waitFor();
        await Promise.all([page.waitForURL((u) => u.href.startsWith(callback.url)), page.getByRole('button', { name: 'Back to safety' }).click()]);
        const url = new URL(page.url());
        assert.equal(url.searchParams.get('error'), 'access_denied');
        assert.equal(url.searchParams.get('code'), null);
        assert.deepEqual(violations, []);
      } finally {
        await context.close();
      }
    });
  });
}
