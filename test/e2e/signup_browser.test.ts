/**
 * "After sign-up, the person is signed in" (issue 20) in real Chromium, with mail through a real
 * SMTP server and a real OAuth client library (openid-client), on both dialects:
 *
 * - sign up → "Check your inbox" → the mailed link, in the same browser → signed in, at `/`;
 * - from a service's authorization: sign up → the link → back at the approval page → approve →
 *   openid-client gets its code and tokens (ID token: amr ["pwd"], auth_time the sign-up's);
 * - the link in a fresh browser context verifies the address and signs nobody in;
 * - a taken address gets the same answer (status, header names, cookie names, the page's text
 *   with the address replaced), and its owner gets a word, not a link.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import type { BrowserContext, Page, Response as PageResponse } from 'playwright-core';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { TestSmtpServer, type ReceivedMail } from '../support/smtp.ts';
import { createClient, createUser, type TestClient } from '../support/fixtures.ts';
import { cspViolations, recordingContext, startCallbackServer } from '../support/chromium.ts';
import { chromiumPerFile } from '../support/chromium_per_file.ts';

const PASSWORD = 'copper herons at low tide';
const SCOPE = 'openid profile email';

const chromium = chromiumPerFile();

for (const dialect of dialects()) {
  describe(`signed in after sign-up, in Chromium (${dialect})`, () => {
    let smtp: TestSmtpServer;
    let t: TestApp;
    let callback: Awaited<ReturnType<typeof startCallbackServer>>;
    let service: TestClient;
    let config: oidc.Configuration;

    before(async () => {
      smtp = await TestSmtpServer.start();
      t = await startTestApp({ dialect, listen: true, env: { SMTP_URL: smtp.url, MAIL_POLL_MS: '100', THROTTLE_LOGIN_PER_IP: '100000/300' } });
      callback = await startCallbackServer();
      service = await createClient(t.deps, { name: 'Sprint Planner', redirectUris: [callback.url] });
      config = await oidc.discovery(new URL(t.issuer), service.clientId, service.clientSecret, undefined, { execute: [oidc.allowInsecureRequests] });
    });
    after(async () => {
      await callback?.close();
      await t?.close();
      await smtp?.stop();
    });

    /** Fills the sign-up form the page shows and submits it: the POST's answer. */
    async function signUp(page: Page, name: string, email: string): Promise<PageResponse> {
      await page.getByLabel('Name').fill(name);
      await page.getByLabel('Email').fill(email);
      await page.getByLabel('Password').fill(PASSWORD);
      const [answer] = await Promise.all([
        page.waitForResponse((r) => new URL(r.url()).pathname === '/signup' && r.request().method() === 'POST'),
        page.getByRole('button', { name: 'Create account' }).click(),
      ]);
      await page.getByRole('heading', { name: 'Check your inbox' }).waitFor({ timeout: 5000 });
      return answer;
    }

    async function verificationLink(to: string): Promise<string> {
      const mail = await smtp.waitFor((m) => m.to === to && m.subject === 'Confirm your email address');
      const link = mail.links.find((l) => l.startsWith(`${t.issuer}/verify-email?link=`));
      assert.ok(link, mail.text);
      return link;
    }

    async function confirm(page: Page, link: string): Promise<void> {
      await page.goto(link);
      await page.getByRole('button', { name: 'Confirm my address' }).click();
    }

    async function fresh(): Promise<{ context: BrowserContext; page: Page; violations: string[]; origins: Set<string> }> {
      const { context, origins } = await recordingContext(chromium());
      const page = await context.newPage();
      return { context, page, violations: cspViolations(page), origins };
    }

    it('sign up → "Check your inbox" → the mailed link in the same browser → signed in, at home', async () => {
      const { context, page, violations, origins } = await fresh();
      await page.goto(`${t.issuer}/signup`);
      await signUp(page, 'Hana Example', 'hana@example.com');
      const text = await page.locator('main').innerText();
      assert.match(text, /We sent a message to hana@example\.com/);
      assert.match(text, /for 24 hours/);
      assert.match(text, /No message\?/);

      await confirm(page, await verificationLink('hana@example.com'));
      await page.waitForURL((url) => url.pathname === '/');
      assert.match(await page.locator('main').innerText(), /Hana Example/);
      const names = (await context.cookies()).map((c) => c.name);
      assert.ok(names.includes('tessera_session'), 'signed in');
      assert.equal(names.includes('tessera_signup'), false, 'the sign-up cookie is spent');
      await page.goto(`${t.issuer}/profile`);
      assert.equal(await page.locator('dd .verified').textContent(), 'Confirmed');

      assert.deepEqual(violations, []);
      assert.deepEqual([...origins], [t.issuer]);
      await context.close();
    });

    it('from an authorization: sign up → the link → the approval page → approve → openid-client gets its code and tokens', async () => {
      const { context, page, violations } = await fresh();
      const verifier = oidc.randomPKCECodeVerifier();
      const state = oidc.randomState();
      const nonce = oidc.randomNonce();
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: callback.url,
        scope: SCOPE,
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
        nonce,
      });
      await page.goto(url.href);
      await page.getByRole('link', { name: 'Create account' }).click();
      await signUp(page, 'Ivo Example', 'ivo@example.com');
      const signedUpAt = t.clock.now();
      assert.match(await page.locator('main').innerText(), /come back to Sprint Planner/);

      await confirm(page, await verificationLink('ivo@example.com'));
      await page.getByRole('button', { name: 'Approve' }).waitFor({ timeout: 5000 });
      assert.match(await page.locator('main').innerText(), /Sprint Planner/);
      await Promise.all([page.waitForURL((u) => u.href.startsWith(callback.url)), page.getByRole('button', { name: 'Approve' }).click()]);

      const tokens = await oidc.authorizationCodeGrant(config, new URL(page.url()), { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce, idTokenExpected: true });
      const claims = tokens.claims();
      assert.ok(claims);
      const ivo = await t.deps.stores.users.findByEmail('ivo@example.com');
      assert.equal(claims.sub, ivo?.id);
      assert.deepEqual(claims.amr, ['pwd']);
      assert.ok(typeof claims.auth_time === 'number' && Math.abs(claims.auth_time - signedUpAt) <= 2, 'auth_time is the sign-up');
      const info = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
      assert.deepEqual({ email: info.email, email_verified: info.email_verified }, { email: 'ivo@example.com', email_verified: true });

      assert.deepEqual(violations, []);
      await context.close();
    });

    it('the link in a fresh browser context verifies the address and signs nobody in', async () => {
      const first = await fresh();
      await first.page.goto(`${t.issuer}/signup`);
      await signUp(first.page, 'Jo Example', 'jo@example.com');
      const link = await verificationLink('jo@example.com');
      await first.context.close();

      const other = await fresh();
      await confirm(other.page, link);
      await other.page.getByRole('heading', { name: 'Your address is confirmed' }).waitFor({ timeout: 5000 });
      assert.equal(await other.page.getByRole('link', { name: 'Sign in' }).count(), 1);
      assert.equal((await other.context.cookies()).some((c) => c.name === 'tessera_session'), false);
      await other.page.goto(`${t.issuer}/`);
      await other.page.waitForURL((url) => url.pathname === '/login');
      assert.notEqual((await t.deps.stores.users.findByEmail('jo@example.com'))?.emailVerifiedAt, null);
      assert.deepEqual(other.violations, []);
      await other.context.close();
    });

    it('a taken address gets the identical answer, and its owner a word instead of a link', async () => {
      await createUser(t.deps, 'kim@example.com', 'Kim', { verified: true });
      const answers: { status: number; headers: string[]; cookies: string[]; text: string }[] = [];
      for (const email of ['lee@example.com', 'kim@example.com']) {
        const { context, page } = await fresh();
        await page.goto(`${t.issuer}/signup`);
        const answer = await signUp(page, 'Someone', email);
        const headers = await answer.allHeaders();
        const cookies = (await answer.headerValues('set-cookie')).map((line) => line.split('=')[0]!);
        answers.push({ status: answer.status(), headers: Object.keys(headers).sort(), cookies, text: (await page.locator('body').innerText()).replaceAll(email, 'ADDRESS') });
        assert.deepEqual((await context.cookies()).map((c) => c.name), ['tessera_signup']);
        await context.close();
      }
      assert.deepEqual(answers[0], answers[1]);
      assert.equal(answers[0]!.status, 200);
      assert.deepEqual(answers[0]!.cookies, ['tessera_signup']);

      const word: ReceivedMail = await smtp.waitFor((m) => m.to === 'kim@example.com');
      assert.equal(word.subject, 'Someone tried to create a Tessera account with this address');
      assert.equal(word.links.some((l) => new URL(l).pathname === '/verify-email'), false);
      await verificationLink('lee@example.com');
      assert.equal(smtp.mailTo('kim@example.com').length, 1);
    });
  });
}
