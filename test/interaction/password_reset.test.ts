/**
 * Account recovery (issue 15) on both dialects, with a real SMTP server: "Forgot your password?"
 * mails a link under PUBLIC_URL; opening it shows the form (and does not use it); a new password
 * ends every session and refresh token, the old password stops working, a notice is mailed. A
 * used, expired or stale link gets a clear page (410). With TOTP on, the reset asks for a code:
 * wrong ones count against the account's limit, a recovery code works and is mailed about (at
 * sign-in too). A work account gets its company's mail. Throttles: per address (no more mail,
 * the same answer) and per client network (429). The link never reaches the request log.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { TestSmtpServer, type ReceivedMail } from '../support/smtp.ts';
import { Browser, redirectLocation } from '../support/browser.ts';
import { createClient, createUser, PASSWORD, type TestClient } from '../support/fixtures.ts';
import { obtainTokens, refresh } from '../support/codes.ts';
import { createLogger } from '../../src/ops/logger.ts';
import { totpCode } from '../../src/crypto/totp.ts';
import { linkValue, newLinkId } from '../../src/crypto/account_links.ts';
import { accountLinkKey } from '../../src/crypto/derived_keys.ts';
import { FACTOR_WINDOW_SECONDS } from '../../src/services/accounts/accounts.ts';
import { RESET_MAILS_PER_ADDRESS } from '../../src/services/accounts/recovery.ts';
import { RESET_SENT } from '../../src/interaction/recovery/forgot_view.tsx';
import { PASSWORD_WAS_RESET } from '../../src/interaction/login/view.tsx';
import type { User } from '../../src/domain/users.ts';

const NEW_PASSWORD = 'a lantern on the quay at low tide';
const PER_IP = 5;
let ipCounter = 0;

/** A browser whose requests come from an address of its own (the per-network throttle counts by it). */
function browserFrom(t: TestApp, ip = `198.51.100.${++ipCounter}`): Browser {
  const app = { inject: (options: InjectOptions) => t.app.inject({ ...options, remoteAddress: ip }) } as unknown as FastifyInstance;
  return new Browser({ ...t, app });
}

for (const dialect of dialects()) {
  describe(`password reset by email (${dialect})`, () => {
    let smtp: TestSmtpServer;
    let t: TestApp;
    let client: TestClient;
    const logLines: string[] = [];

    before(async () => {
      smtp = await TestSmtpServer.start();
      t = await startTestApp({
        dialect,
        env: { SMTP_URL: smtp.url, MAIL_POLL_MS: '100', THROTTLE_PASSWORD_RESET_PER_IP: `${PER_IP}/900` },
        log: createLogger('info', { write: (line: string) => void logLines.push(line) }),
      });
      client = await createClient(t.deps);
    });
    after(async () => {
      await t?.close();
      await smtp?.stop();
    });

    async function askReset(email: string, browser = browserFrom(t)) {
      const res = await browser.submit(await browser.get('/forgot-password'), /^\/forgot-password$/, { email });
      return res;
    }

    /** Asks for a reset and returns the link from the mail that arrives. */
    async function resetLink(email: string): Promise<string> {
      const before = smtp.mailTo(email).length;
      const answer = await askReset(email);
      assert.equal(answer.statusCode, 200);
      assert.ok(answer.body.includes(RESET_SENT));
      const mail = await smtp.waitFor((m) => m.to === email && m.subject === 'Reset your Tessera password' && smtp.mailTo(email).indexOf(m) >= before);
      const link = mail.links.find((l) => l.includes('/reset-password?link='));
      assert.ok(link?.startsWith(t.issuer + '/reset-password?link='), `a link under PUBLIC_URL: ${link}`);
      return link!.slice(t.issuer.length);
    }

    async function noticeTo(email: string, subject: string): Promise<ReceivedMail> {
      return smtp.waitFor((m) => m.to === email && m.subject === subject);
    }

    async function signsIn(email: string, password: string): Promise<boolean> {
      return (await new Browser(t).signIn(email, password)).statusCode === 303;
    }

    async function turnOnTotp(user: User): Promise<{ secret: string; codes: string[] }> {
      const caller = { ip: '203.0.113.1', userAgent: null };
      assert.ok(await t.deps.accounts.startTotp(user));
      const secret = (await t.deps.accounts.totpSetupSecret(user))!;
      const done = await t.deps.accounts.confirmTotp(user, totpCode(secret, t.clock.now()), caller);
      assert.ok(typeof done === 'object');
      t.clock.advance(30); // that code's step is used
      return { secret, codes: done.codes };
    }

    it('a link under PUBLIC_URL; GET shows the form and uses nothing; the new password ends every session, refresh token and the old password; a notice', async () => {
      const alice = await createUser(t.deps, 'alice@example.com', 'Alice');
      const signedIn = new Browser(t);
      assert.equal((await signedIn.signIn('alice@example.com')).statusCode, 303);
      const tokens = await obtainTokens(t, { client, user: alice, scopes: ['openid', 'offline_access'] });

      const link = await resetLink('alice@example.com');
      const browser = browserFrom(t);
      const form = await browser.get(link);
      assert.equal(form.statusCode, 200);
      assert.match(form.body, /Choose a new password/);
      assert.doesNotMatch(form.body, /name="code"/, 'no code field without TOTP');
      assert.doesNotMatch(form.body, /\b(src|href)="https?:/, 'nothing loads from elsewhere');
      assert.equal((await browser.get(link)).statusCode, 200, 'opening it again still works: GET uses nothing');

      assert.equal((await browser.submit(form, /^\/reset-password$/, { password: NEW_PASSWORD, confirm: NEW_PASSWORD + 'x' })).statusCode, 400);
      const weak = await browser.submit(form, /^\/reset-password$/, { password: 'password', confirm: 'password' });
      assert.equal(weak.statusCode, 400);
      assert.match(weak.body, /too common/);
      const done = await browser.submit(form, /^\/reset-password$/, { password: NEW_PASSWORD, confirm: NEW_PASSWORD });
      assert.equal(done.statusCode, 303);
      assert.equal(redirectLocation(done), '/login?reset=1');
      assert.ok((await browser.follow(done)).body.includes(PASSWORD_WAS_RESET));

      assert.equal(await signsIn('alice@example.com', PASSWORD), false, 'the old password fails');
      assert.equal(await signsIn('alice@example.com', NEW_PASSWORD), true, 'the new one works');
      assert.equal((await signedIn.get('/profile')).statusCode, 302, 'the session from before is over');
      assert.equal((await refresh(t, client, tokens.refresh_token)).json().error, 'invalid_grant');
      const notice = await noticeTo('alice@example.com', 'Your password was reset');
      assert.match(notice.text, /198\.51\.100\.\d+/, 'the notice names the address it came from');
      const events = await t.deps.stores.audit.listForUser(alice.id, ['user.password_reset', 'user.email_verified'], 10);
      assert.deepEqual(events.map((e) => e.type).sort(), ['user.email_verified', 'user.password_reset'], 'the link proved the address too');

      const reused = await browser.get(link);
      assert.equal(reused.statusCode, 410);
      assert.match(reused.body, /used already/);
      assert.equal((await browser.submit(form, /^\/reset-password$/, { password: NEW_PASSWORD + '!', confirm: NEW_PASSWORD + '!' })).statusCode, 410);
      assert.equal(await signsIn('alice@example.com', NEW_PASSWORD), true, 'the reused link changed nothing');

      const value = new URL(t.issuer + link).searchParams.get('link')!;
      assert.ok(logLines.join('').includes('"path":"/reset-password"'), 'the reset requests were logged');
      assert.ok(!logLines.join('').includes(value.split('.')[1]!), 'the link never reached the log');
    });

    it('an expired link, a link after the password changed, and a forged one are refused with their own page', async () => {
      await createUser(t.deps, 'bob@example.com');
      const expired = await resetLink('bob@example.com');
      t.clock.advance(31 * 60);
      const late = await new Browser(t).get(expired);
      assert.equal(late.statusCode, 410);
      assert.match(late.body, /has expired/);

      const fresh = await resetLink('bob@example.com');
      const browser = new Browser(t);
      await browser.signIn('bob@example.com');
      const signed = (await t.deps.accounts.signedIn(browser.sessionCookie()!.value))!;
      assert.equal((await t.deps.accounts.changePassword(signed, PASSWORD, NEW_PASSWORD, { ip: '203.0.113.2', userAgent: null })).kind, 'ok');
      const stale = await new Browser(t).get(fresh);
      assert.equal(stale.statusCode, 410);
      assert.match(stale.body, /password changed since this link was sent/);
      const forged = await new Browser(t).get(fresh.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')));
      assert.equal(forged.statusCode, 400);
      assert.match(forged.body, /not valid/);
      assert.equal((await new Browser(t).get('/reset-password')).statusCode, 400);
    });

    it('with TOTP on: wrong codes are refused and counted; a recovery code works and is mailed about, at sign-in too; so does a current code', async () => {
      const dave = await createUser(t.deps, 'dave@example.com');
      const { secret, codes } = await turnOnTotp(dave);
      const browser = browserFrom(t);
      const form = await browser.get(await resetLink('dave@example.com'));
      assert.match(form.body, /name="code"/);
      const wrong = await browser.submit(form, /^\/reset-password$/, { password: NEW_PASSWORD, confirm: NEW_PASSWORD, code: '000000' === totpCode(secret, t.clock.now()) ? '111111' : '000000' });
      assert.equal(wrong.statusCode, 401);
      assert.equal((await t.deps.stores.sessions.countFactorFailures(dave.id, t.clock.now(), FACTOR_WINDOW_SECONDS)).failures, 1, 'counted against the account');
      assert.equal(await signsIn('dave@example.com', NEW_PASSWORD), false);

      const done = await browser.submit(form, /^\/reset-password$/, { password: NEW_PASSWORD, confirm: NEW_PASSWORD, code: codes[0]! });
      assert.equal(done.statusCode, 303);
      const notice = await noticeTo('dave@example.com', 'A recovery code was used');
      assert.match(notice.text, /to reset your password\. 9 codes are left/);

      // At sign-in too (completeSecondFactor).
      const signIn = new Browser(t);
      assert.equal(redirectLocation(await signIn.signIn('dave@example.com', NEW_PASSWORD)), '/login/code');
      assert.equal((await signIn.submit(await signIn.get('/login/code'), /^\/login\/code$/, { code: codes[1]! })).statusCode, 303);
      await smtp.waitFor((m) => m.to === 'dave@example.com' && m.subject === 'A recovery code was used' && /8 codes are left/.test(m.text));

      // A current code works as well.
      t.clock.advance(30);
      const second = browserFrom(t);
      const form2 = await second.get(await resetLink('dave@example.com'));
      const again = await second.submit(form2, /^\/reset-password$/, { password: PASSWORD + '!', confirm: PASSWORD + '!', code: totpCode(secret, t.clock.now()) });
      assert.equal(again.statusCode, 303);
      assert.equal(await signsIn('dave@example.com', PASSWORD + '!'), true);
    });

    it('a work account gets its company’s mail and no link; a link naming one says so', async () => {
      const { directory } = await t.deps.stores.directories.create({ id: 'dir-acme', name: 'Acme Corp', issuer: 'https://id.acme.example', clientId: 'c', clientSecretSealed: 'v1.x', domains: ['acme.example'], createdAt: t.clock.now() });
      assert.ok(directory);
      const worker = await t.deps.stores.directories.createAccount({ issuer: directory.issuer, subject: 'w1', directoryId: directory.id, email: 'wendy@acme.example', name: 'Wendy' }, t.clock.now());
      const answer = await askReset('wendy@acme.example');
      assert.equal(answer.statusCode, 200);
      assert.ok(answer.body.includes(RESET_SENT));
      assert.match(answer.body, /Addresses at acme\.example can be work accounts of Acme Corp/);
      const mail = await smtp.waitFor((m) => m.to === 'wendy@acme.example');
      assert.equal(mail.subject, 'Password reset requested');
      assert.match(mail.text, /work account: you sign in through Acme Corp/);
      assert.ok(!mail.links.some((l) => l.includes('/reset-password')), 'no reset link');

      const id = newLinkId();
      const now = t.clock.now();
      await t.deps.stores.accountLinks.create({ id, userId: worker.id, purpose: 'reset_password', email: worker.email, stamp: null, createdAt: now, expiresAt: now + 1800 }, { kind: 'reset_unknown', to: 'ignored@example.com', userId: null, data: {} });
      const page = await new Browser(t).get(`/reset-password?link=${linkValue(accountLinkKey(t.deps.formKey), 'reset_password', id)}`);
      assert.equal(page.statusCode, 400);
      assert.match(page.body, /This is a work account/);
      assert.match(page.body, /Acme Corp/);
    });

    it(`per address: after ${RESET_MAILS_PER_ADDRESS} mails in an hour nothing more is written, and the answer is the same`, async () => {
      const to = 'flooded@example.com';
      const answers: string[] = [];
      for (let i = 0; i < RESET_MAILS_PER_ADDRESS + 2; i++) {
        const res = await askReset(to);
        assert.equal(res.statusCode, 200);
        answers.push(res.body);
      }
      assert.equal(new Set(answers).size, 1, 'the same answer every time');
      const since = t.clock.now() - 3600;
      assert.equal(await t.deps.stores.outbox.countRecent(to, ['reset_unknown', 'reset_password', 'reset_work_account'], since), RESET_MAILS_PER_ADDRESS);
      await smtp.waitFor(() => smtp.mailTo(to).length === RESET_MAILS_PER_ADDRESS);
    });

    it(`per client network: the ${PER_IP + 1}th request from one address is 429 with Retry-After, and writes nothing`, async () => {
      const browser = browserFrom(t, '192.0.2.77');
      for (let i = 0; i < PER_IP; i++) assert.equal((await askReset(`net${i}@example.com`, browser)).statusCode, 200);
      const refused = await askReset('net-last@example.com', browser);
      assert.equal(refused.statusCode, 429);
      assert.ok(Number(refused.headers['retry-after']) > 0);
      assert.ok(!refused.body.includes(RESET_SENT));
      assert.equal(await t.deps.stores.outbox.countRecent('net-last@example.com', ['reset_unknown'], 0), 0);
      assert.equal((await askReset('net-last@example.com')).statusCode, 200, 'another network is not affected');
    });
  });
}
