/**
 * Changing the address on /profile (issue 15), through the real app and a real SMTP server on both
 * dialects: it needs a recent sign-in and the password; the link goes to the new address and
 * nothing changes until it is used; then the address is changed and verified, and the old address
 * gets a notice naming the new one. A taken address answers the same and mails its owner instead;
 * an address taken between the request and the link is refused and changes nothing. Work accounts
 * cannot change their address here.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { TestSmtpServer, type ReceivedMail } from '../support/smtp.ts';
import { createUser, PASSWORD } from '../support/fixtures.ts';
import { Browser, findForm, type Response } from '../support/browser.ts';
import type { User } from '../../src/domain/users.ts';

const ENV = { MAIL_POLL_MS: '100', THROTTLE_LOGIN_PER_IP: '100000/300' };

function linkTo(mail: ReceivedMail, path: string): string {
  const link = mail.links.find((l) => new URL(l).pathname === path);
  assert.ok(link, `a ${path} link in: ${mail.text}`);
  return link;
}

for (const dialect of dialects()) {
  describe(`change of address (${dialect})`, () => {
    let smtp: TestSmtpServer;
    let t: TestApp;

    before(async () => {
      smtp = await TestSmtpServer.start();
      t = await startTestApp({ dialect, env: { ...ENV, SMTP_URL: smtp.url } });
    });
    after(async () => {
      await t?.close();
      await smtp?.stop();
    });

    async function signedIn(email: string): Promise<Browser> {
      const browser = new Browser(t);
      assert.equal((await browser.signIn(email)).statusCode, 303);
      return browser;
    }

    /** Posts the profile's "Change email address" form. */
    async function ask(browser: Browser, email: string, password = PASSWORD): Promise<Response> {
      return browser.submit(await browser.get('/profile'), /^\/profile\/email$/, { email, password });
    }

    async function reread(user: User): Promise<User> {
      return (await t.deps.stores.users.findById(user.id))!;
    }

    it('needs a recent sign-in and the password; the link goes to the new address; the change happens only when it is used, and the old address is told', async () => {
      const carol = await createUser(t.deps, 'carol@example.com', 'Carol');
      const browser = await signedIn('carol@example.com');
      const profile = await browser.get('/profile');

      // A sign-in older than 10 minutes signs in again first; nothing is asked.
      t.clock.advance(601);
      const stale = await browser.submit(profile, /^\/profile\/email$/, { email: 'carol@new.example', password: PASSWORD });
      assert.equal(stale.statusCode, 303);
      assert.equal(stale.headers.location, '/login?return_to=%2Fprofile&reauth=1');
      assert.match((await browser.get(String(stale.headers.location))).body, /this change needs a recent sign-in/);
      assert.equal((await browser.signIn('carol@example.com')).statusCode, 303);

      const wrong = await ask(browser, 'carol@new.example', 'not my password');
      assert.equal(wrong.statusCode, 400);
      assert.match(wrong.body, /current password is incorrect/);
      assert.equal(await t.deps.stores.accountLinks.latest(carol.id, 'change_email'), undefined);
      assert.equal((await ask(browser, 'not an address')).statusCode, 400);
      assert.match((await ask(browser, 'CAROL@example.com')).body, /already your address/);

      const sent = await ask(browser, 'Carol@New.example');
      assert.equal(sent.statusCode, 200, sent.body.slice(0, 500));
      assert.match(sent.body, /We sent a link to carol@new\.example\. Your address changes when you open it\./);
      const mail = await smtp.waitFor((m) => m.to === 'carol@new.example');
      assert.equal(mail.subject, 'Confirm your new email address');
      const link = linkTo(mail, '/profile/email/confirm');
      assert.equal(smtp.mailTo('carol@example.com').length, 0, 'nothing to the old address yet');

      // Until the link is used: the same address, for sign-in too. Opening it changes nothing.
      const page = await browser.get(link);
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /from carol@example\.com to carol@new\.example/);
      const signedOut = await new Browser(t).get(link);
      assert.equal(signedOut.statusCode, 200);
      assert.match(signedOut.body, /Sign in to change your address/);
      assert.equal(findForm(signedOut.body, /confirm/), undefined);
      assert.equal((await reread(carol)).email, 'carol@example.com');

      // Another account cannot use it.
      await createUser(t.deps, 'mallory@example.com', 'Mallory');
      const mallory = await signedIn('mallory@example.com');
      const foreign = await mallory.get(link);
      assert.equal(foreign.statusCode, 403);
      assert.match(foreign.body, /for another account/);

      const confirmedFrom = t.clock.now();
      const done = await browser.submit(page, /^\/profile\/email\/confirm$/);
      assert.equal(done.statusCode, 303);
      assert.equal(done.headers.location, '/profile?done=email_changed');
      const changed = await reread(carol);
      assert.equal(changed.email, 'carol@new.example');
      // Verified when confirmed: a second may tick by during the request.
      assert.ok(changed.emailVerifiedAt !== null && changed.emailVerifiedAt >= confirmedFrom && changed.emailVerifiedAt <= t.clock.now(), String(changed.emailVerifiedAt));
      const events = await t.deps.stores.audit.listForUser(carol.id, ['user.email_changed'], 5);
      assert.deepEqual(events.map((e) => e.detail), [{ old_email: 'carol@example.com', new_email: 'carol@new.example' }]);

      const notice = await smtp.waitFor((m) => m.to === 'carol@example.com');
      assert.equal(notice.subject, 'The email address of your account was changed');
      assert.match(notice.text, /carol@new\.example/);
      // Sessions stay (an address is not a credential); the page says it changed and is confirmed.
      const after = await browser.follow(done);
      assert.match(after.body, /Your email address was changed/);
      assert.match(after.body, /class="verified">Confirmed/);
      assert.equal((await new Browser(t).signIn('carol@new.example')).statusCode, 303);
      assert.notEqual((await new Browser(t).signIn('carol@example.com')).statusCode, 303);
      // Used: a clear 410.
      const reused = await browser.get(link);
      assert.equal(reused.statusCode, 410);
      assert.match(reused.body, /already used/);
    });

    it('a taken address answers the same, mails its owner instead of a link, and is throttled per account', async () => {
      await createUser(t.deps, 'dora@example.com', 'Dora', { verified: true });
      const erin = await createUser(t.deps, 'erin@example.com', 'Erin');
      const browser = await signedIn('erin@example.com');
      const taken = await ask(browser, 'dora@example.com');
      assert.equal(taken.statusCode, 200);
      assert.match(taken.body, /We sent a link to dora@example\.com\. Your address changes when you open it\./);
      const word = await smtp.waitFor((m) => m.to === 'dora@example.com');
      assert.equal(word.subject, 'Someone tried to use this address on Tessera');
      assert.equal(word.links.some((l) => l.includes('/profile/email/confirm')), false);
      assert.equal(await t.deps.stores.accountLinks.latest(erin.id, 'change_email'), undefined);

      // One request a minute per account, whatever the address.
      const soon = await ask(browser, 'erin@new.example');
      assert.equal(soon.statusCode, 429);
      assert.ok(Number(soon.headers['retry-after']) >= 1);
      t.clock.advance(61);
      const free = await ask(browser, 'erin@new.example');
      assert.equal(free.statusCode, 200);
      const said = (res: Response, address: string) => /<p class="notice"[^>]*>([^<]*)<\/p>/.exec(res.body)?.[1]?.replace(address, 'X');
      assert.equal(said(free, 'erin@new.example'), said(taken, 'dora@example.com'), 'the same words for a taken and a free address');
    });

    it('an address taken between the request and the link: a clear refusal, and nothing changes', async () => {
      const frank = await createUser(t.deps, 'frank@example.com', 'Frank');
      const browser = await signedIn('frank@example.com');
      assert.equal((await ask(browser, 'grace@example.com')).statusCode, 200);
      const link = linkTo(await smtp.waitFor((m) => m.to === 'grace@example.com'), '/profile/email/confirm');
      const page = await browser.get(link);
      assert.equal(page.statusCode, 200);
      // Grace signs up with that address meanwhile.
      const signUp = new Browser(t);
      assert.equal((await signUp.submit(await signUp.get('/signup'), /^\/signup$/, { name: 'Grace', email: 'grace@example.com', password: PASSWORD })).statusCode, 200);

      const refused = await browser.submit(page, /^\/profile\/email\/confirm$/);
      assert.equal(refused.statusCode, 409);
      assert.match(refused.body, /That address is taken/);
      assert.match(refused.body, /stays frank@example\.com/);
      const after = await reread(frank);
      assert.equal(after.email, 'frank@example.com');
      assert.equal(after.emailVerifiedAt, null);
      assert.equal((await t.deps.stores.accountLinks.latest(frank.id, 'change_email'))?.usedAt, null, 'the link is not used up');
      assert.equal((await t.deps.stores.audit.listForUser(frank.id, ['user.email_changed'], 5)).length, 0);
    });

    it('a work account cannot change its address or get verification links: its directory owns the address', async () => {
      const { directory } = await t.deps.stores.directories.create({
        id: 'dir-corp',
        name: 'Corp',
        issuer: 'https://id.corp.example',
        clientId: 'c',
        clientSecretSealed: 'v1.x',
        domains: ['corp.example'],
        createdAt: t.clock.now(),
      });
      assert.ok(directory);
      const signed = await t.deps.accounts.signInWorkAccount(
        directory,
        { issuer: directory.issuer, subject: 'w1', email: 'wes@corp.example', name: 'Wes', emailVerified: false },
        { ip: '127.0.0.1', userAgent: null },
      );
      assert.ok(signed);
      const browser = new Browser(t);
      browser.cookies.set('tessera_session', { name: 'tessera_session', value: signed.opened.cookieValue, raw: '' });
      const profile = await browser.get('/profile');
      assert.match(profile.body, /comes from your company’s directory/);
      assert.doesNotMatch(profile.body, /Send the link again/);
      assert.equal(findForm(profile.body, /^\/profile\/email$/), undefined);
      const token = findForm(profile.body, /^\/profile\/name$/)!.hidden.token!;
      const change = await browser.post('/profile/email', { token, email: 'wes@elsewhere.example', password: 'x' });
      assert.equal(change.statusCode, 400);
      assert.match(change.body, /comes from your company’s directory/);
      const resend = await browser.post('/profile/email/verify', { token });
      assert.equal(resend.statusCode, 400);
      assert.equal(await t.deps.stores.accountLinks.latest(signed.user.id, 'verify_email'), undefined);
      assert.equal((await reread(signed.user)).email, 'wes@corp.example');
    });
  });
}
