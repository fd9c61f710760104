/**
 * A verified address in real Chromium (issue 15): a person signs up, signs in, sees on the profile
 * that the address is not confirmed, opens the link from the mail a real SMTP server received,
 * confirms it with the page's button (in this browser it also signs in again, issue 20), and sees
 * the profile show the address as confirmed. Every
 * form works under the page CSP, and nothing loads from elsewhere.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { TestSmtpServer } from '../support/smtp.ts';
import { cspViolations, recordingContext } from '../support/chromium.ts';
import { chromiumPerFile } from '../support/chromium_per_file.ts';

const PASSWORD = 'seven swans over the fen';

const chromium = chromiumPerFile();

for (const dialect of dialects()) {
  describe(`email verification in Chromium (${dialect})`, () => {
    let smtp: TestSmtpServer;
    let t: TestApp;

    before(async () => {
      smtp = await TestSmtpServer.start();
      t = await startTestApp({ dialect, listen: true, env: { SMTP_URL: smtp.url, MAIL_POLL_MS: '100' } });
    });
    after(async () => {
      await t?.close();
      await smtp?.stop();
    });

    it('signs up, opens the mailed link, confirms, and the profile shows the address confirmed', async () => {
      const { context, origins } = await recordingContext(chromium());
      const page = await context.newPage();
      const violations = cspViolations(page);

      await page.goto(`${t.issuer}/signup`);
      await page.getByLabel('Name').fill('Edda Example');
      await page.getByLabel('Email').fill('edda@example.com');
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Create account' }).click();
      await page.getByRole('heading', { name: 'Check your inbox' }).waitFor({ timeout: 5000 });
      await page.goto(`${t.issuer}/login`);
      await page.getByLabel('Email').fill('edda@example.com');
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL((url) => url.pathname === '/');

      await page.goto(`${t.issuer}/profile`);
      await page.getByText('Confirm your address.').waitFor({ timeout: 5000 });
      assert.equal(await page.locator('dd .unverified').textContent(), 'Not confirmed');

      const mail = await smtp.waitFor((m) => m.to === 'edda@example.com' && m.subject === 'Confirm your email address');
      const link = mail.links.find((l) => l.startsWith(`${t.issuer}/verify-email?link=`));
      assert.ok(link, mail.text);
      await page.goto(link);
      // In the browser that signed up, the link also signs in again and goes home (issue 20).
      await page.getByRole('button', { name: 'Confirm my address' }).click();
      await page.waitForURL((url) => url.pathname === '/');
      await page.goto(`${t.issuer}/profile`);
      assert.equal(await page.locator('dd .verified').textContent(), 'Confirmed');
      assert.equal(await page.getByText('Confirm your address.').count(), 0);

      assert.deepEqual(violations, []);
      assert.deepEqual([...origins], [t.issuer]);
      await context.close();
    });
  });
}
