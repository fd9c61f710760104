/**
 * Accounts in real Chromium: a person follows "Create account" from the sign-in page of a pending
 * authorization, signs up, signs in with the new password, approves, and the service exchanges
 * the code; then the person opens their profile, renames themselves, turns on two-step
 * verification (reading the key off the page), signs out, and signs in again with password and
 * a code computed from that key, completing a second authorization. Checks what
 * only a browser checks: the page CSP lets every form submit and nothing loads from elsewhere.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createClient, type TestClient } from '../support/fixtures.ts';
import { codeRequest, authorizeUrl } from '../support/browser.ts';
import { exchangeCode } from '../support/codes.ts';
import { decodeJwt } from 'jose';
import { totpCode } from '../../src/crypto/totp.ts';
import { recordingContext, startCallbackServer, cspViolations } from '../support/chromium.ts';
import { chromiumPerFile } from '../support/chromium_per_file.ts';

const PASSWORD = 'a quiet harbour at dawn ⚓';

const chromium = chromiumPerFile();

for (const dialect of dialects()) {
  describe(`accounts in Chromium (${dialect})`, () => {
    let t: TestApp;
    let service: TestClient;
    let callback: Awaited<ReturnType<typeof startCallbackServer>>;

    before(async () => {
      t = await startTestApp({ dialect, listen: true });
      callback = await startCallbackServer();
      service = await createClient(t.deps, { name: 'Build Dashboard', redirectUris: [callback.url] });
    });
    after(async () => {
      await callback?.close();
      await t.close();
    });

    it('signs up, signs in with the password, completes an authorization, uses the profile, turns on TOTP and signs in with it', async () => {
      const { context, origins } = await recordingContext(chromium());
      const page = await context.newPage();
      const violations = cspViolations(page);
      const { params, verifier } = codeRequest(service.clientId, callback.url);
      await page.goto(t.issuer + authorizeUrl(params));

      await page.getByRole('link', { name: 'Create account' }).click();
      await page.getByLabel('Name').fill('Dana Example');
      await page.getByLabel('Email').fill('dana@example.com');
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Create account' }).click();

      // "Check your inbox" (issue 20); Dana signs in with her password instead of waiting for the mail.
      await page.getByRole('heading', { name: 'Check your inbox' }).waitFor({ timeout: 5000 });
      await page.getByRole('link', { name: 'sign in with your password' }).click();
      await page.getByLabel('Email').fill('dana@example.com');
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();

      await page.getByRole('button', { name: 'Approve' }).waitFor({ timeout: 5000 });
      await Promise.all([page.waitForURL((url) => url.href.startsWith(callback.url)), page.getByRole('button', { name: 'Approve' }).click()]);
      const landed = new URL(page.url());
      assert.equal(landed.searchParams.get('state'), params.state);
      const code = landed.searchParams.get('code');
      assert.ok(code);
      const tokens = await exchangeCode(t, service, { code, verifier }, { redirect_uri: callback.url });
      assert.equal(tokens.statusCode, 200);

      await page.goto(t.issuer + '/profile');
      assert.match(await page.content(), /Dana Example/);
      assert.match(await page.content(), /this session/);
      await page.getByLabel('Name', { exact: true }).fill('Dana Renamed');
      await page.getByRole('button', { name: 'Save name' }).click();
      await page.getByText('Your name was saved.').waitFor({ timeout: 5000 });
      assert.match(await page.content(), /Dana Renamed/);

      // Two-step verification: the QR code must render under the page CSP (img-src data:).
      await page.getByRole('button', { name: 'Turn on two-step verification' }).click();
      const qr = page.locator('img.qr');
      await qr.waitFor({ timeout: 5000 });
      assert.ok(await qr.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0), 'the QR code rendered');
      const secret = (await page.locator('code.secret').textContent())!.trim();
      const enabledStep = Math.floor(Date.now() / 30000);
      await page.getByLabel('Code from the app').fill(totpCode(secret, enabledStep * 30));
      await page.getByRole('button', { name: 'Turn on' }).click();
      await page.getByText('Two-step verification is on').waitFor({ timeout: 5000 });
      assert.equal(await page.locator('ul.recovery code').count(), 10);

      await page.goto(t.issuer + '/profile');
      await page.getByRole('button', { name: 'Sign out' }).first().click();
      await page.waitForURL((url) => url.pathname === '/logout');
      await page.getByText('You are signed out').waitFor({ timeout: 5000 });
      await page.goto(t.issuer + '/profile');
      assert.equal(new URL(page.url()).pathname, '/login', 'signed out');

      // Sign in again with password and code, through a second authorization.
      const second = codeRequest(service.clientId, callback.url);
      await page.goto(t.issuer + authorizeUrl(second.params));
      await page.getByLabel('Email').fill('dana@example.com');
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByLabel('Code').waitFor({ timeout: 5000 });
      // The enabling code's step is used: a replay would be refused, so take the next step's code
      // (accepted for clock drift, RFC 6238 §5.2) when the clock has not moved on yet.
      const nextStep = Math.max(enabledStep + 1, Math.floor(Date.now() / 30000));
      await page.getByLabel('Code').fill(totpCode(secret, nextStep * 30));
      await page.getByRole('button', { name: 'Verify' }).click();
      // The grant exists already: the second authorization may skip the approval page.
      const approve = page.getByRole('button', { name: 'Approve' });
      for (let i = 0; i < 50 && !page.url().startsWith(callback.url) && !(await approve.isVisible()); i++) await new Promise((r) => setTimeout(r, 100));
      if (!page.url().startsWith(callback.url)) {
        if (!(await approve.isVisible())) throw new Error(`stopped at ${page.url()}: ${violations.join(' | ')}\n${(await page.content()).slice(0, 1500)}`);
        await Promise.all([page.waitForURL((url) => url.href.startsWith(callback.url)), approve.click()]);
      }
      const back = new URL(page.url());
      assert.equal(back.searchParams.get('state'), second.params.state);
      const secondTokens = await exchangeCode(t, service, { code: back.searchParams.get('code')!, verifier: second.verifier }, { redirect_uri: callback.url });
      assert.equal(secondTokens.statusCode, 200);
      assert.deepEqual(decodeJwt((secondTokens.json() as { id_token: string }).id_token).amr, ['pwd', 'otp']);

      assert.deepEqual(violations, []);
      assert.deepEqual([...origins].sort(), [t.issuer, new URL(callback.url).origin].sort());
      await context.close();
    });
  });
}
