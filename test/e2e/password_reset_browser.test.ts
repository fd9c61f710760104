/**
 * Account recovery in real Chromium (issue 15): a person clicks "Forgot your password?" on the
 * sign-in page, types their address, opens the link from the mail that reached a real SMTP
 * server, sets a new password and signs in with it. Checks what only a browser shows: the forms
 * submit under the page CSP, nothing loads from elsewhere, and no request made from the reset
 * page carries its address (the link) in a Referer.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { TestSmtpServer } from '../support/smtp.ts';
import { createUser } from '../support/fixtures.ts';
import { recordingContext, cspViolations } from '../support/chromium.ts';
import { chromiumPerFile } from '../support/chromium_per_file.ts';

const NEW_PASSWORD = 'seven gulls over a grey harbour';

const chromium = chromiumPerFile();

for (const dialect of dialects()) {
  describe(`password reset in Chromium (${dialect})`, () => {
    let smtp: TestSmtpServer;
    let t: TestApp;

    before(async () => {
      smtp = await TestSmtpServer.start();
      t = await startTestApp({ dialect, listen: true, env: { SMTP_URL: smtp.url, MAIL_POLL_MS: '100' } });
      await createUser(t.deps, 'hana@example.com', 'Hana');
    });
    after(async () => {
      await t?.close();
      await smtp?.stop();
    });

    it('forgot password → mail → link → new password → signed in with it', async () => {
      const { context, origins } = await recordingContext(chromium());
      const referers: string[] = [];
      context.on('request', (request) => {
        const referer = request.headers().referer;
        if (referer !== undefined) referers.push(referer);
      });
      const page = await context.newPage();
      const violations = cspViolations(page);

      await page.goto(t.issuer + '/login');
      await page.getByRole('link', { name: 'Forgot your password?' }).click();
      await page.getByLabel('Email').fill('hana@example.com');
      await page.getByRole('button', { name: 'Send me a link' }).click();
      await page.getByText('If an account uses this address, we sent it a link.').waitFor({ timeout: 5000 });

      const mail = await smtp.waitFor((m) => m.to === 'hana@example.com' && m.subject === 'Reset your Tessera password');
      const link = mail.links.find((l) => l.startsWith(t.issuer + '/reset-password?link='));
      assert.ok(link, mail.text);
      await page.goto(link);
      await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
      await page.getByLabel('Repeat the new password').fill(NEW_PASSWORD);
      await page.getByRole('button', { name: 'Set the new password' }).click();

      await page.getByText('Your password was changed. Sign in with it.').waitFor({ timeout: 5000 });
      assert.equal(new URL(page.url()).pathname, '/login');
      await page.getByLabel('Email').fill('hana@example.com');
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.getByLabel('Password').fill(NEW_PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL((url) => url.pathname === '/');
      await page.goto(t.issuer + '/profile');
      assert.equal(new URL(page.url()).pathname, '/profile', 'signed in');
      assert.match(await page.content(), /Hana/);
      await smtp.waitFor((m) => m.to === 'hana@example.com' && m.subject === 'Your password was reset');

      assert.deepEqual(violations, []);
      assert.deepEqual([...origins], [t.issuer], 'nothing loads from elsewhere');
      const linkValue = new URL(link).searchParams.get('link')!;
      assert.ok(!referers.some((r) => r.includes(linkValue)), `no Referer carries the link: ${referers.join(' ')}`);
      await context.close();
    });
  });
}
