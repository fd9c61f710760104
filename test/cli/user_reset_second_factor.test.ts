/**
 * Issue 15 through `tessera user reset-second-factor`: a person who lost both the password and the
 * second factor asks an operator, who removes the second factor: TOTP off, recovery codes gone,
 * `user.second_factor_reset` recorded, and a notice mailed (through a running server's sender and
 * a real SMTP server); sign-in then takes the password alone. An account with no second factor, an
 * unknown address and a missing flag are refused, changing nothing.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { TestSmtpServer } from '../support/smtp.ts';
import { CliTarget, assertRefused } from './cli.ts';
import { Browser, redirectLocation } from '../support/browser.ts';
import { createUser } from '../support/fixtures.ts';
import { totpCode } from '../../src/crypto/totp.ts';
import type { User } from '../../src/domain/users.ts';

for (const dialect of dialects()) {
  describe(`tessera user reset-second-factor (${dialect})`, () => {
    let cli: CliTarget;
    let smtp: TestSmtpServer;
    let server: TestApp;
    let frank: User;

    before(async () => {
      cli = await CliTarget.create(dialect);
      await cli.json(['db', 'migrate']);
      smtp = await TestSmtpServer.start();
      server = await startTestApp({
        database: cli.dialect === 'sqlite' ? { dialect: 'sqlite', sqlitePath: cli.sqlitePath! } : { dialect: 'postgres', schema: cli.schema! },
        keyEncryptionKey: cli.kek,
        env: { SMTP_URL: smtp.url, MAIL_POLL_MS: '100' },
      });
      frank = await createUser(server.deps, 'frank@example.com', 'Frank');
      const accounts = server.deps.accounts;
      assert.ok(await accounts.startTotp(frank));
      const secret = (await accounts.totpSetupSecret(frank))!;
      assert.equal(typeof (await accounts.confirmTotp(frank, totpCode(secret, server.clock.now()), { ip: '203.0.113.5', userAgent: null })), 'object');
      assert.equal(redirectLocation(await new Browser(server).signIn('frank@example.com')), '/login/code', 'sign-in asks for a code');
    });
    after(async () => {
      await server?.close();
      await smtp?.stop();
      await cli?.close();
    });

    it('removes TOTP and the recovery codes, records the event and mails a notice; sign-in takes the password alone', async () => {
      const out = await cli.json(['user', 'reset-second-factor', '--email', 'Frank@Example.com']);
      assert.deepEqual(out, { id: frank.id, email: 'frank@example.com', second_factor: false, recovery_codes_deleted: 10, notice: 'queued' });
      assert.equal(await server.deps.stores.users.findTotp(frank.id), undefined);
      assert.equal(await server.deps.stores.users.countUnusedRecoveryCodes(frank.id), 0);
      const [event] = await server.deps.stores.audit.listForUser(frank.id, ['user.second_factor_reset'], 5);
      assert.deepEqual(event?.detail, { via: 'cli', recovery_codes_deleted: 10 });
      const notice = await smtp.waitFor((m) => m.to === 'frank@example.com' && m.subject === 'Your second factor was removed by an administrator');
      assert.ok(notice.links.every((l) => l.startsWith(server.issuer + '/')), notice.links.join(' '));
      assert.equal(redirectLocation(await new Browser(server).signIn('frank@example.com')), '/', 'signed in with the password alone');
    });

    it('refuses an account with no second factor, an unknown address and a missing --email, changing nothing', async () => {
      assertRefused(await cli.run(['user', 'reset-second-factor', '--email', 'frank@example.com']), 1, /frank@example\.com has no second factor: nothing to reset/);
      assertRefused(await cli.run(['user', 'reset-second-factor', '--email', 'nobody@example.com']), 1, /no personal account with email nobody@example\.com/);
      assertRefused(await cli.run(['user', 'reset-second-factor']), 2, /--email/);
      assert.equal((await server.deps.stores.audit.listForUser(frank.id, ['user.second_factor_reset'], 5)).length, 1);
    });

    it('prints what it did in plain words', async () => {
      const grace = await createUser(server.deps, 'grace@example.com');
      assert.ok(await server.deps.accounts.startTotp(grace));
      const secret = (await server.deps.accounts.totpSetupSecret(grace))!;
      await server.deps.accounts.confirmTotp(grace, totpCode(secret, server.clock.now()), { ip: '203.0.113.5', userAgent: null });
      const text = await cli.run(['user', 'reset-second-factor', '--email', 'grace@example.com']);
      assert.equal(text.code, 0, text.stderr);
      assert.match(text.stdout, /^removed two-step verification from grace@example\.com \(id [\w-]+\); deleted 10 unused recovery code\(s\); a notice is on its way to grace@example\.com\n$/);
    });
  });
}
