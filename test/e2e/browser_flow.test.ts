/**
 * The person's part in real Chromium: a service sends them to Tessera, they sign in, read the
 * approval page, press Approve, and land on the service's callback with a code that the service
 * exchanges. Checks what only a browser checks: the page CSP lets the forms submit and the
 * redirect to the service's origin happen (form-action), and nothing is loaded from elsewhere.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createClient, createUser, PASSWORD, type TestClient } from '../support/fixtures.ts';
import { codeRequest, authorizeUrl } from '../support/browser.ts';
import { exchangeCode } from '../support/codes.ts';
import { recordingContext, startCallbackServer, cspViolations } from '../support/chromium.ts';
import { chromiumPerFile } from '../support/chromium_per_file.ts';


const chromium = chromiumPerFile();

for (const dialect of dialects()) {
  describe(`authorization in Chromium (${dialect})`, () => {
    let t: TestApp;
    let service: TestClient;
    let callback: Awaited<ReturnType<typeof startCallbackServer>>;

    before(async () => {
      t = await startTestApp({ dialect, listen: true });
      callback = await startCallbackServer();
      await createUser(t.deps, 'carol@example.com', 'Carol');
      service = await createClient(t.deps, { name: 'Build Dashboard', redirectUris: [callback.url] });
    });
    after(async () => {
      await callback?.close();
      await t.close();
    });

    it('signs in, approves, and reaches the service with a code it can exchange', async () => {
      const REDIRECT = callback.url;
      const { context, origins } = await recordingContext(chromium());
      const page = await context.newPage();
      const violations = cspViolations(page);
      const { params, verifier } = codeRequest(service.clientId, REDIRECT, { scope: 'openid profile' });
      await page.goto(t.issuer + authorizeUrl(params));

      await page.getByLabel('Email').fill('carol@example.com');
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();

      await page.getByRole('button', { name: 'Approve' }).waitFor({ timeout: 5000 }).catch(async (err: unknown) => {
        throw new Error(`no approval page at ${page.url()}: ${violations.join(' | ')}\n${(await page.content()).slice(0, 1500)}`, { cause: err });
      });
      assert.match(await page.content(), /Build Dashboard/);
      await Promise.all([page.waitForURL((url) => url.href.startsWith(REDIRECT)), page.getByRole('button', { name: 'Approve' }).click()]);

      const landed = new URL(page.url());
      assert.equal(landed.searchParams.get('state'), params.state);
      assert.equal(landed.searchParams.get('iss'), t.issuer);
      assert.match(await page.content(), /Connected\./);
      const code = landed.searchParams.get('code');
      assert.ok(code);
      assert.deepEqual(violations, []);
      assert.deepEqual([...origins].sort(), [t.issuer, new URL(REDIRECT).origin].sort(), 'nothing is loaded from anywhere but Tessera, then the service');

      const tokens = await exchangeCode(t, service, { code, verifier }, { redirect_uri: REDIRECT });
      assert.equal(tokens.statusCode, 200);
      await context.close();
    });
  });
}
