/**
 * The developer portal in real Chromium (issue 5, "Done when"): a developer signs in, registers
 * an app with a logo, rotates its secret while a token exchange keeps working with the new one
 * and fails with the revoked one, edits its scopes, and deletes it. Checks what only a browser
 * checks: the pages' CSP lets the multipart and plain forms submit, nothing loads from elsewhere.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createUser, PASSWORD, type TestClient } from '../support/fixtures.ts';
import { issueTestCode } from '../support/codes.ts';
import { basic } from '../support/codes.ts';
import { recordingContext, cspViolations } from '../support/chromium.ts';
import { chromiumPerFile } from '../support/chromium_per_file.ts';

const PNG_1PX = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64');

const chromium = chromiumPerFile();

for (const dialect of dialects()) {
  describe(`developer portal in Chromium (${dialect})`, () => {
    let t: TestApp;

    before(async () => {
      t = await startTestApp({ dialect, listen: true });
      await createUser(t.deps, 'dana@example.com', 'Dana');
    });
    after(async () => {
      await t.close();
    });

    /** A real token request over HTTP, as the service would send it. */
    async function refreshWith(clientId: string, secret: string, refreshToken: string) {
      const res = await fetch(`${t.issuer}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(clientId, secret) },
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }),
      });
      return { status: res.status, body: (await res.json()) as { refresh_token?: string; error?: string } };
    }

    it('registers an app, rotates its secret without downtime, edits its scopes, and deletes it', async () => {
      const { context, origins } = await recordingContext(chromium());
      const page = await context.newPage();
      const violations = cspViolations(page);

      // Not signed in: the portal's sign-in form, then back to the portal.
      await page.goto(`${t.issuer}/developers/apps`);
      await page.getByLabel('Email').fill('dana@example.com');
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.getByLabel('Password').fill(PASSWORD);
      await Promise.all([page.waitForURL(`${t.issuer}/developers/apps`), page.getByRole('button', { name: 'Sign in' }).click()]);

      // Register.
      await page.getByRole('link', { name: 'Register an app' }).click();
      await page.getByRole('textbox', { name: 'Name', exact: true }).fill('Time Tracker');
      await page.getByLabel('Company', { exact: true }).fill('Clockwork Ltd');
      await page.getByLabel('App website').fill('https://tt.clockwork.example/');
      await page.getByLabel('Callback URLs').fill('https://tt.clockwork.example/cb');
      await page.getByLabel(/^Logo \(/).setInputFiles({ name: 'logo.png', mimeType: 'image/png', buffer: PNG_1PX });
      await page.locator('input[name=scopes][value="offline_access"]').check();
      await page.locator('input[name=scopes][value="workitems:read"]').check();
      await page.getByRole('button', { name: 'Register' }).click();
      const firstSecret = (await page.locator('#client-secret').textContent({ timeout: 5000 }).catch(async (err: unknown) => {
        throw new Error(`no secret page at ${page.url()}: ${violations.join(' | ')}\n${(await page.content()).slice(0, 2000)}`, { cause: err });
      }))!;
      const clientId = (await page.locator('#client-id').textContent())!;
      assert.match(firstSecret, /^tss_[A-Za-z0-9_-]{43}$/);
      const app = await t.deps.stores.apps.find(clientId);
      assert.deepEqual(app?.scopes, ['openid', 'profile', 'email', 'offline_access', 'workitems:read']);
      assert.equal(app?.logoUrl, `${t.issuer}/developers/logos/${clientId}`);

      // The service runs with the first secret: a person authorized it, and it refreshes.
      const person = await createUser(t.deps, 'erin@example.com');
      const service: TestClient = { app: app!, clientId, clientSecret: firstSecret };
      const issued = await issueTestCode(t.deps, { client: service, user: person, scopes: ['openid', 'offline_access', 'workitems:read'] });
      const exchanged = await fetch(`${t.issuer}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(clientId, firstSecret) },
        body: new URLSearchParams({ grant_type: 'authorization_code', code: issued.code, code_verifier: issued.verifier }),
      });
      assert.equal(exchanged.status, 200);
      let refreshToken = ((await exchanged.json()) as { refresh_token: string }).refresh_token;

      // Rotate: a second secret; both work during the switch.
      await page.getByRole('link', { name: /Continue to/ }).click();
      // The logo loads from Tessera's origin under the page's CSP.
      const logoWidth = await page.locator('img.logo').evaluate((img: HTMLImageElement) => (img.complete ? img.naturalWidth : new Promise<number>((resolve) => img.addEventListener('load', () => resolve(img.naturalWidth)))));
      assert.equal(logoWidth, 1);
      await page.getByRole('button', { name: 'Create a new secret' }).click();
      const secondSecret = (await page.locator('#client-secret').textContent())!;
      const secondId = (await page.locator('#secret-id').textContent())!;
      assert.notEqual(secondSecret, firstSecret);
      let r = await refreshWith(clientId, firstSecret, refreshToken);
      assert.equal(r.status, 200);
      refreshToken = r.body.refresh_token!;
      r = await refreshWith(clientId, secondSecret, refreshToken);
      assert.equal(r.status, 200);
      refreshToken = r.body.refresh_token!;

      // Revoke the first: it fails at once, the new one keeps working.
      await page.getByRole('link', { name: /Continue to/ }).click();
      const firstRow = page.locator('tbody tr').filter({ hasNotText: secondId });
      await firstRow.getByRole('button', { name: 'Revoke' }).click();
      await page.locator('tbody tr').first().waitFor();
      assert.equal(await page.locator('tbody tr').count(), 1);
      r = await refreshWith(clientId, firstSecret, refreshToken);
      assert.equal(r.status, 401);
      assert.equal(r.body.error, 'invalid_client');
      r = await refreshWith(clientId, secondSecret, refreshToken);
      assert.equal(r.status, 200);

      // Edit the scopes.
      await page.getByRole('link', { name: 'Edit' }).click();
      await page.locator('input[name=scopes][value="workitems:read"]').uncheck();
      await page.locator('input[name=scopes][value="workitems:write"]').check();
      await page.getByRole('button', { name: 'Save' }).click();
      await page.locator('#scopes').waitFor();
      assert.deepEqual(await page.locator('#scopes code').allTextContents(), ['openid', 'profile', 'email', 'offline_access', 'workitems:write']);
      assert.equal(await page.locator('#scopes li', { hasText: 'workitems:write' }).locator('.badge').textContent(), 'High privilege', 'marked as on the approval page');
      assert.deepEqual((await t.deps.stores.apps.find(clientId))?.scopes, ['openid', 'profile', 'email', 'offline_access', 'workitems:write']);

      // Delete: the app, its grant and its tokens are gone.
      await Promise.all([page.waitForURL(`${t.issuer}/developers/apps`), page.getByRole('button', { name: 'Delete Time Tracker' }).click()]);
      assert.match(await page.content(), /You have not registered an app yet/);
      assert.equal(await t.deps.stores.apps.find(clientId), undefined);
      r = await refreshWith(clientId, secondSecret, r.body.refresh_token!);
      assert.equal(r.status, 401);

      assert.deepEqual(violations, []);
      assert.deepEqual([...origins], [t.issuer], 'nothing is loaded from anywhere but Tessera');
      await context.close();
    });
  });
}
