/**
 * A work account in real Chromium (issue 3, "Done when"): a service sends the person to
 * Tessera; they type only their work email and press "Sign in"; the hand-over page moves on by
 * itself to the company directory (a real node-oidc-provider on a loopback port), where they sign
 * in and consent; the directory sends them back, and they approve the service, which redeems the
 * code. Checks what only a browser checks: the page CSP lets every step through (no form posts
 * to the directory, whose origin the sign-in page's form-action does not allow).
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJwt } from 'jose';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createClient, type TestClient } from '../support/fixtures.ts';
import { codeRequest, authorizeUrl } from '../support/browser.ts';
import { exchangeCode } from '../support/codes.ts';
import { recordingContext, startCallbackServer, cspViolations } from '../support/chromium.ts';
import { chromiumPerFile } from '../support/chromium_per_file.ts';
import { addDirectory, startCompanyDirectory, type CompanyDirectory } from '../interaction/company_directory.ts';
import { CALLBACK_PATH } from '../../src/interaction/directory/paths.ts';

const chromium = chromiumPerFile();

for (const dialect of dialects()) {
  describe(`a work account in Chromium (${dialect})`, () => {
    let t: TestApp;
    let service: TestClient;
    let corp: CompanyDirectory;
    let callback: Awaited<ReturnType<typeof startCallbackServer>>;

    before(async () => {
      t = await startTestApp({ dialect, listen: true });
      callback = await startCallbackServer();
      service = await createClient(t.deps, { name: 'Build Dashboard', redirectUris: [callback.url] });
      corp = await startCompanyDirectory(t.issuer + CALLBACK_PATH);
      await addDirectory(t, 'Corp', corp.issuer, ['corp.example']);
    });
    after(async () => {
      await corp?.close();
      await callback?.close();
      await t?.close();
    });

    it('signs in with the email only, at the directory, and completes an authorization', async () => {
      const { context, origins } = await recordingContext(chromium());
      const page = await context.newPage();
      const violations = cspViolations(page);
      const { params, verifier } = codeRequest(service.clientId, callback.url, { scope: 'openid email' });
      await page.goto(t.issuer + authorizeUrl(params));

      await page.getByLabel('Email').fill('noor@corp.example');
      await page.getByRole('button', { name: 'Continue' }).click();

      // The directory's own login page (devInteractions), reached through the hand-over page.
      const login = page.locator('input[name="login"]');
      await login.waitFor({ timeout: 10000 });
      assert.ok(page.url().startsWith(corp.issuer + '/'), page.url());
      await login.fill('noor');
      await page.locator('input[name="password"]').fill('any password');
      await page.locator('button[type="submit"]').click();
      await page.getByRole('button', { name: 'Continue' }).click();

      const approve = page.getByRole('button', { name: 'Approve' });
      await approve.waitFor({ timeout: 10000 }).catch(async (err: unknown) => {
        throw new Error(`no approval page at ${page.url()}: ${violations.join(' | ')}\n${(await page.content()).slice(0, 1500)}`, { cause: err });
      });
      await Promise.all([page.waitForURL((url) => url.href.startsWith(callback.url)), approve.click()]);
      const landed = new URL(page.url());
      assert.equal(landed.searchParams.get('state'), params.state);
      const tokens = await exchangeCode(t, service, { code: landed.searchParams.get('code')!, verifier }, { redirect_uri: callback.url });
      assert.equal(tokens.statusCode, 200, tokens.body);
      const idToken = decodeJwt((tokens.json() as { id_token: string }).id_token);
      assert.deepEqual(idToken.amr, ['fed']);
      const user = await t.deps.stores.users.findById(idToken.sub!);
      assert.equal(user?.kind, 'work');
      assert.equal(user?.email, 'noor@corp.example');

      assert.deepEqual(violations, []);
      // The directory's devInteractions page imports Google Fonts (blocked here, STACK trap 8); that
      // request comes from its page, not ours. Nothing else leaves these three origins.
      const visited = [...origins].filter((o) => o !== 'https://fonts.googleapis.com').sort();
      assert.deepEqual(visited, [t.issuer, corp.issuer, new URL(callback.url).origin].sort());
      await context.close();
    });
  });
}
