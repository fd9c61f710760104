/**
 * Issue 15 through `tessera user reset-second-factor`: a person who lost both the password and the
 * second factor asks an operator, who removes every second factor: TOTP off, recovery codes gone,
 * passkeys removed (issue 16), `user.second_factor_reset` recorded with what was removed, and a
 * notice mailed (through a running server's sender and a real SMTP server); sign-in then takes
 * the password alone. An account that signed in with passkeys and has no password is also mailed
 * a password-reset link in the same transaction, which then sets a password. An account with no
 * second factor, an unknown address and a missing flag are refused, changing nothing.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { TestSmtpServer } from '../support/smtp.ts';
import { CliTarget, assertRefused } from './cli.ts';
import { Browser, redirectLocation } from '../support/browser.ts';
import { createUser } from '../support/fixtures.ts';
import { SoftAuthenticator, type CeremonyOptions } from '../support/soft_authenticator.ts';
import { totpCode } from '../../src/crypto/totp.ts';
import type { User } from '../../src/domain/users.ts';

const ORIGIN = 'http://localhost:3000';
const NEW_PASSWORD = 'a lantern on the quay at low tide';

for (const dialect of dialects()) {
  describe(`tessera user reset-second-factor (${dialect})`, () => {
    let cli: CliTarget;
    let smtp: TestSmtpServer;
    let server: TestApp;
    let frank: User;
    const frankKey = new SoftAuthenticator(ORIGIN);

    async function options(b: Browser, path: string, body: Record<string, unknown> = {}): Promise<CeremonyOptions> {
      const res = await b.postJson(path, body);
      assert.equal(res.statusCode, 200, res.body);
      return (res.json() as { options: CeremonyOptions }).options;
    }

    async function turnOnTotp(user: User): Promise<void> {
      const accounts = server.deps.accounts;
      assert.ok(await accounts.startTotp(user));
      const secret = (await accounts.totpSetupSecret(user))!;
      assert.equal(typeof (await accounts.confirmTotp(user, totpCode(secret, server.clock.now()), { ip: '203.0.113.5', userAgent: null })), 'object');
    }

    before(async () => {
      cli = await CliTarget.create(dialect);
      await cli.json(['db', 'migrate']);
      smtp = await TestSmtpServer.start();
      server = await startTestApp({
        database: cli.dialect === 'sqlite' ? { dialect: 'sqlite', sqlitePath: cli.sqlitePath! } : { dialect: 'postgres', schema: cli.schema! },
        keyEncryptionKey: cli.kek,
        env: { PUBLIC_URL: ORIGIN, SMTP_URL: smtp.url, MAIL_POLL_MS: '100', THROTTLE_LOGIN_PER_IP: '1000/300' },
      });
      // Frank has a passkey (added on the profile) and TOTP.
      frank = await createUser(server.deps, 'frank@example.com', 'Frank');
      const b = new Browser(server);
      assert.equal((await b.signIn('frank@example.com')).statusCode, 303);
      assert.equal((await b.postJson('/profile/passkeys/add', { name: 'Laptop', credential: frankKey.register(await options(b, '/profile/passkeys/options')).response })).statusCode, 200);
      await turnOnTotp(frank);
      assert.equal(redirectLocation(await new Browser(server).signIn('frank@example.com')), '/login/code', 'sign-in asks for a second factor');
    });
    after(async () => {
      await server?.close();
      await smtp?.stop();
      await cli?.close();
    });

    it('removes TOTP, the recovery codes and the passkeys, records what it removed and mails a notice; sign-in takes the password alone', async () => {
      const out = await cli.json(['user', 'reset-second-factor', '--email', 'Frank@Example.com']);
      assert.deepEqual(out, {
        id: frank.id,
        email: 'frank@example.com',
        second_factor: false,
        totp_removed: true,
        recovery_codes_deleted: 10,
        passkeys_removed: 1,
        notice: 'queued',
        password_link: null,
      });
      assert.equal(await server.deps.stores.users.findTotp(frank.id), undefined);
      assert.equal(await server.deps.stores.users.countUnusedRecoveryCodes(frank.id), 0);
      assert.equal(await server.deps.stores.passkeys.countForUser(frank.id), 0);
      const [event] = await server.deps.stores.audit.listForUser(frank.id, ['user.second_factor_reset'], 5);
      assert.deepEqual(event?.detail, { via: 'cli', totp: true, recovery_codes_deleted: 10, passkeys_removed: 1, password_link: false });
      const notice = await smtp.waitFor((m) => m.to === 'frank@example.com' && m.subject === 'Your second factor was removed by an administrator');
      assert.match(notice.text, /removed two-step verification \(the authenticator app and its recovery codes\) and its passkey from your Tessera account/);
      assert.ok(notice.links.every((l) => l.startsWith(ORIGIN + '/')), notice.links.join(' '));
      assert.equal(redirectLocation(await new Browser(server).signIn('frank@example.com')), '/', 'signed in with the password alone');
      assert.equal(smtp.mailTo('frank@example.com').filter((m) => m.subject === 'Reset your Tessera password').length, 0, 'a password account gets no link');
    });

    it('an account with passkeys and no password: its passkeys go, and a reset link mailed with the notice sets a password', async () => {
      const patKey = new SoftAuthenticator(ORIGIN);
      const signUp = new Browser(server);
      const opts = await options(signUp, '/signup/passkey/options', { name: 'Pat', email: 'pat@example.com' });
      assert.equal((await signUp.postJson('/signup/passkey', { credential: patKey.register(opts).response })).statusCode, 200);
      const pat = (await server.deps.stores.users.findByEmail('pat@example.com'))!;
      assert.equal(pat.passwordHash, null);

      const text = await cli.run(['user', 'reset-second-factor', '--email', 'pat@example.com']);
      assert.equal(text.code, 0, text.stderr);
      assert.match(
        text.stdout,
        /^removed 1 passkey\(s\) from pat@example\.com \(id [\w-]+\); deleted 0 unused recovery code\(s\); a notice is on its way to pat@example\.com; it has no password, so a link to set one \(good for 30 minutes\) is on its way too\n$/,
      );
      assert.equal(await server.deps.stores.passkeys.countForUser(pat.id), 0);
      const [event] = await server.deps.stores.audit.listForUser(pat.id, ['user.second_factor_reset'], 5);
      assert.deepEqual(event?.detail, { via: 'cli', totp: false, recovery_codes_deleted: 0, passkeys_removed: 1, password_link: true });

      const notice = await smtp.waitFor((m) => m.to === 'pat@example.com' && m.subject === 'Your second factor was removed by an administrator');
      assert.match(notice.text, /removed its passkey from your Tessera account\. Your account had no password, so we sent you a separate message with a link to set one/);
      const mail = await smtp.waitFor((m) => m.to === 'pat@example.com' && m.subject === 'Reset your Tessera password');
      const link = mail.links.find((l) => l.startsWith(ORIGIN + '/reset-password?link='));
      assert.ok(link, mail.text);

      // The old passkey opens nothing now; the link sets a password, asking for no second factor.
      const old = new Browser(server);
      assert.equal((await old.postJson('/login/passkey', { credential: patKey.assert(await options(old, '/login/passkey/options')) })).statusCode, 401);
      const b = new Browser(server);
      const page = await b.get(link.slice(ORIGIN.length));
      assert.equal(page.statusCode, 200, page.body);
      assert.doesNotMatch(page.body, /name="code"|data-passkey="reset"/);
      const done = await b.submit(page, /^\/reset-password$/, { password: NEW_PASSWORD, confirm: NEW_PASSWORD });
      assert.equal(redirectLocation(done), '/login?reset=1');
      assert.equal(redirectLocation(await new Browser(server).signIn('pat@example.com', NEW_PASSWORD)), '/', 'signed in with the new password');
      assert.equal((await b.get(link.slice(ORIGIN.length))).statusCode, 410, 'the link worked once');
    });

    it('refuses an account with no second factor, an unknown address and a missing --email, changing nothing', async () => {
      assertRefused(await cli.run(['user', 'reset-second-factor', '--email', 'frank@example.com']), 1, /frank@example\.com has no second factor: nothing to reset$/m);
      assertRefused(await cli.run(['user', 'reset-second-factor', '--email', 'pat@example.com']), 1, /pat@example\.com has no second factor: nothing to reset/);
      assertRefused(await cli.run(['user', 'reset-second-factor', '--email', 'nobody@example.com']), 1, /no personal account with email nobody@example\.com/);
      assertRefused(await cli.run(['user', 'reset-second-factor']), 2, /--email/);
      assert.equal((await server.deps.stores.audit.listForUser(frank.id, ['user.second_factor_reset'], 5)).length, 1);
    });

    it('prints what it did in plain words', async () => {
      const grace = await createUser(server.deps, 'grace@example.com');
      await turnOnTotp(grace);
      const text = await cli.run(['user', 'reset-second-factor', '--email', 'grace@example.com']);
      assert.equal(text.code, 0, text.stderr);
      assert.match(text.stdout, /^removed two-step verification \(TOTP\) from grace@example\.com \(id [\w-]+\); deleted 10 unused recovery code\(s\); a notice is on its way to grace@example\.com\n$/);
    });
  });
}
