/**
 * RP-initiated sign-out in real Chromium (OIDC RP-Initiated Logout §2, §3; SECURITY 38): the
 * service sends the person to /logout, they press Sign out, and Chromium follows the 303 to the
 * service's registered address. Only a browser checks that the confirmation page's CSP
 * form-action allows that redirect (STACK trap 6).
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createClient, createUser, PASSWORD, type TestClient } from '../support/fixtures.ts';
import { recordingContext, startCallbackServer, cspViolations } from '../support/chromium.ts';
import { chromiumPerFile } from '../support/chromium_per_file.ts';
import { signIdToken } from '../../src/crypto/jwt.ts';

const chromium = chromiumPerFile();

for (const dialect of dialects()) {
  describe(`RP-initiated sign-out in Chromium (${dialect})`, () => {
    let t: TestApp;
    let service: TestClient;
    let server: Awaited<ReturnType<typeof startCallbackServer>>;
    let signedOut: string;

    before(async () => {
      t = await startTestApp({ dialect, listen: true });
      server = await startCallbackServer();
      signedOut = server.url.replace(/\/callback$/, '/signed-out');
      await createUser(t.deps, 'carol@example.com', 'Carol');
      service = await createClient(t.deps, { name: 'Build Dashboard', redirectUris: [server.url], postLogoutRedirectUris: [signedOut] });
    });
    after(async () => {
      await server?.close();
      await t.close();
    });

    it('confirms, signs out, and lands on the registered address with state', async () => {
      const { context } = await recordingContext(chromium());
      const page = await context.newPage();
      const violations = cspViolations(page);
      await page.goto(`${t.issuer}/login`);
      await page.getByLabel('Email').fill('carol@example.com');
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.getByLabel('Password').fill(PASSWORD);
      await Promise.all([page.waitForURL(`${t.issuer}/`), page.getByRole('button', { name: 'Sign in' }).click()]);

      // An ID token signed with Tessera's key, as the service would hold one (without it, no redirect: §2).
      const now = t.clock.now();
      const hint = await signIdToken(t.deps.keys.keys, { iss: t.issuer, sub: 'carol', aud: service.clientId, iat: now, exp: now + 300, auth_time: now });
      const query = new URLSearchParams({ id_token_hint: hint, post_logout_redirect_uri: signedOut, state: 'st-browser' });
      await page.goto(`${t.issuer}/logout?${query}`);
      assert.match(await page.content(), /Build Dashboard asks you to sign out/);
      await Promise.all([
        page.waitForURL((url) => url.href.startsWith(signedOut), { timeout: 5000 }).catch(async (err: unknown) => {
          throw new Error(`stayed at ${page.url()}: ${violations.join(' | ')}`, { cause: err });
        }),
        page.getByRole('button', { name: 'Sign out' }).click(),
      ]);
      assert.equal(page.url(), `${signedOut}?state=st-browser`);
      assert.deepEqual(violations, []);
      assert.deepEqual((await context.cookies(t.issuer)).filter((c) => c.name.endsWith('tessera_session')), [], 'the session cookie is gone');
      await page.goto(`${t.issuer}/profile`);
      assert.equal(new URL(page.url()).pathname, '/login', 'signed out');
      await context.close();
    });
  });
}
