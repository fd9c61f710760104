/**
 * Verified addresses (issue 15), through the real app and a real SMTP server on both dialects:
 * sign-up mails a link; its page changes nothing on GET (mail scanners) and verifies on POST;
 * `email_verified` in ID tokens and at userinfo follows; used, expired, stale and unknown links
 * get clear pages; "send again" is throttled per account; a taken address at sign-up answers the
 * same and mails its owner instead.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJwt } from 'jose';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { TestSmtpServer, type ReceivedMail } from '../support/smtp.ts';
import { createClient, createUser, PASSWORD, type TestClient } from '../support/fixtures.ts';
import { obtainTokens } from '../support/codes.ts';
import { Browser, findForm, type Response } from '../support/browser.ts';
import type { User } from '../../src/domain/users.ts';

const ENV = { MAIL_POLL_MS: '100', THROTTLE_LOGIN_PER_IP: '100000/300' };

/** The link of a received mail that opens `path`. */
function linkTo(mail: ReceivedMail, path: string): string {
  const link = mail.links.find((l) => new URL(l).pathname === path);
  assert.ok(link, `a ${path} link in: ${mail.text}`);
  return link;
}

for (const dialect of dialects()) {
  describe(`verified addresses (${dialect})`, () => {
    let smtp: TestSmtpServer;
    let t: TestApp;
    let client: TestClient;

    before(async () => {
      smtp = await TestSmtpServer.start();
      t = await startTestApp({ dialect, env: { ...ENV, SMTP_URL: smtp.url } });
      client = await createClient(t.deps, { redirectUris: ['https://app.example/cb'] });
    });
    after(async () => {
      await t?.close();
      await smtp?.stop();
    });

    async function signUp(email: string, name = 'Someone'): Promise<Response> {
      const browser = new Browser(t);
      const res = await browser.submit(await browser.get('/signup'), /^\/signup$/, { name, email, password: PASSWORD });
      assert.equal(res.statusCode, 200, res.body.slice(0, 500));
      assert.match(res.body, /Check your inbox/);
      return res;
    }

    /** The newest verification mail to `to` once `count` of them arrived. */
    async function verificationMail(to: string, count = 1): Promise<ReceivedMail> {
      await smtp.waitFor(() => smtp.mailTo(to).filter((m) => m.subject === 'Confirm your email address').length >= count);
      return smtp.mailTo(to).filter((m) => m.subject === 'Confirm your email address').at(-1)!;
    }

    async function account(email: string): Promise<User> {
      const user = await t.deps.stores.users.findByEmail(email);
      assert.ok(user, email);
      return user;
    }

    /** `email_verified` in a fresh ID token (a real code exchange at /token) and at userinfo. */
    async function claimsOf(user: User): Promise<{ idToken: unknown; userinfo: unknown }> {
      const tokens = await obtainTokens(t, { client, user, scopes: ['openid', 'email'] });
      const info = await t.app.inject({ method: 'GET', url: '/userinfo', headers: { authorization: `Bearer ${tokens.access_token}` } });
      assert.equal(info.statusCode, 200, info.body);
      const idToken = decodeJwt(tokens.id_token!);
      assert.equal(idToken.email, user.email);
      return { idToken: idToken.email_verified, userinfo: info.json().email_verified };
    }

    it('sign-up mails a link; GET changes nothing; POST verifies; ID token and userinfo say email_verified false, then true', async () => {
      await signUp('Vera@Example.com', 'Vera');
      const mail = await verificationMail('vera@example.com');
      assert.match(mail.text, /Hello Vera/);
      const link = linkTo(mail, '/verify-email');
      assert.ok(link.startsWith(`${t.issuer}/verify-email?link=`), link);
      const vera = await account('vera@example.com');
      assert.equal(vera.emailVerifiedAt, null);
      // One transaction wrote the account, its event, its link and its mail.
      assert.equal((await t.deps.stores.audit.listForUser(vera.id, ['user.signed_up'], 5)).length, 1);
      assert.equal((await t.deps.stores.accountLinks.latest(vera.id, 'verify_email'))?.email, 'vera@example.com');
      assert.deepEqual(await claimsOf(vera), { idToken: false, userinfo: false });

      // Opening the link (or a mail scanner prefetching it) shows a button and changes nothing.
      const browser = new Browser(t);
      const page = await browser.get(link);
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /Confirm my address/);
      assert.match(page.body, /vera@example\.com/);
      assert.equal((await account('vera@example.com')).emailVerifiedAt, null);

      // The form's token is bound to the link: another link's token does not post this one.
      const form = findForm(page.body, /^\/verify-email$/)!;
      assert.equal((await browser.post('/verify-email', { ...form.hidden, link: 'x.y' })).statusCode, 403);

      const done = await browser.submit(page, /^\/verify-email$/);
      assert.equal(done.statusCode, 200, done.body.slice(0, 500));
      assert.match(done.body, /Your address is confirmed/);
      const verified = await account('vera@example.com');
      assert.ok(verified.emailVerifiedAt !== null);
      const events = await t.deps.stores.audit.listForUser(vera.id, ['user.email_verified'], 5);
      assert.deepEqual(events.map((e) => e.detail), [{ via: 'link' }]);
      assert.deepEqual(await claimsOf(verified), { idToken: true, userinfo: true });

      // Used: the same link again, GET or POST, is a clear 410 and changes nothing more.
      const again = await new Browser(t).get(link);
      assert.equal(again.statusCode, 410);
      assert.match(again.body, /This link was already used/);
      const replay = await browser.submit(page, /^\/verify-email$/);
      assert.equal(replay.statusCode, 410);
      assert.equal((await t.deps.stores.audit.listForUser(vera.id, ['user.email_verified'], 5)).length, 1);
    });

    it('an unknown or tampered link is a clear 400', async () => {
      for (const url of ['/verify-email', '/verify-email?link=nope', '/verify-email?link=AAAAAAAAAAAAAAAAAAAAAA.forged']) {
        const res = await new Browser(t).get(url);
        assert.equal(res.statusCode, 400, url);
        assert.match(res.body, /This link is not valid/);
      }
    });

    it('a taken address at sign-up answers exactly like a new one and mails its owner instead, once an hour', async () => {
      await createUser(t.deps, 'owner@example.com', 'Owner', { verified: true });
      const fresh = await signUp('newcomer@example.com');
      const taken = await signUp('OWNER@example.com');
      assert.equal(taken.headers.location, fresh.headers.location);
      // The same page, but for the address each typed (issue 20: "Check your inbox" names it).
      assert.equal(taken.body.replaceAll('owner@example.com', 'ADDRESS'), fresh.body.replaceAll('newcomer@example.com', 'ADDRESS'));
      const mail = await smtp.waitFor((m) => m.to === 'owner@example.com');
      assert.equal(mail.subject, 'Someone tried to create a Tessera account with this address');
      assert.deepEqual(mail.links.map((l) => new URL(l).pathname).sort(), ['/forgot-password', '/login']);
      await verificationMail('newcomer@example.com');
      // No second account, no link for the squatter; a second try within the hour mails nothing more.
      assert.equal((await signUp('owner@example.com')).headers.location, fresh.headers.location);
      const owner = await account('owner@example.com');
      assert.equal(await t.deps.stores.accountLinks.latest(owner.id, 'verify_email'), undefined);
      assert.equal(await t.deps.stores.outbox.countRecent('owner@example.com', ['signup_taken'], 0), 1);
    });

    it('the profile offers "Send the link again", throttled to one a minute and five a day; an expired link is refused', async () => {
      await signUp('slow@example.com');
      const first = linkTo(await verificationMail('slow@example.com'), '/verify-email');
      t.clock.advance(24 * 3600 + 1);
      const expired = await new Browser(t).get(first);
      assert.equal(expired.statusCode, 410);
      assert.match(expired.body, /This link has expired/);

      const browser = new Browser(t);
      assert.equal((await browser.signIn('slow@example.com')).statusCode, 303);
      const profile = await browser.get('/profile');
      assert.match(profile.body, /Confirm your address/);
      assert.match(profile.body, /Not confirmed/);
      const resend = () => browser.submit(profile, /^\/profile\/email\/verify$/);

      const sent = await resend();
      assert.equal(sent.statusCode, 303);
      assert.equal(sent.headers.location, '/profile?done=verification_sent');
      const second = linkTo(await verificationMail('slow@example.com', 2), '/verify-email');
      assert.notEqual(second, first);

      const soon = await resend();
      assert.equal(soon.statusCode, 429);
      const wait = Number(soon.headers['retry-after']);
      assert.ok(wait >= 1 && wait <= 60, `Retry-After ${wait}`);
      assert.match(soon.body, /Wait \d+ seconds/);

      for (let i = 0; i < 4; i++) {
        t.clock.advance(61);
        assert.equal((await resend()).statusCode, 303, `resend ${i + 2} of the day`);
      }
      t.clock.advance(61);
      const capped = await resend();
      assert.equal(capped.statusCode, 429);
      assert.ok(Number(capped.headers['retry-after']) > 3600, `a day's cap: Retry-After ${String(capped.headers['retry-after'])}`);
      const slow = await account('slow@example.com');
      assert.equal((await t.deps.stores.accountLinks.createdSince(slow.id, 'verify_email', 0)).length, 6);

      // The newest link works, signed in; the expired one still does not.
      const newest = linkTo(await verificationMail('slow@example.com', 6), '/verify-email');
      assert.equal((await browser.get(first)).statusCode, 410);
      const done = await browser.submit(await browser.get(newest), /^\/verify-email$/);
      assert.equal(done.statusCode, 200);
      assert.match(done.body, /Go to your profile/);
      const after = await browser.get('/profile');
      assert.doesNotMatch(after.body, /Confirm your address/);
      assert.match(after.body, /class="verified">Confirmed/);
      // An older link that was never used, once the address is verified: a friendly page.
      const older = await new Browser(t).get(second);
      assert.equal(older.statusCode, 200);
      assert.match(older.body, /already confirmed/);
      assert.equal((await resend()).headers.location, '/profile?done=verified');
    });

    it('a link for an address the account no longer has is stale: refused with a clear page', async () => {
      await signUp('stale@example.com');
      const link = linkTo(await verificationMail('stale@example.com'), '/verify-email');
      const browser = new Browser(t);
      assert.equal((await browser.signIn('stale@example.com')).statusCode, 303);
      const profile = await browser.get('/profile');
      const asked = await browser.submit(profile, /^\/profile\/email$/, { email: 'moved@example.com', password: PASSWORD });
      assert.equal(asked.statusCode, 200, asked.body.slice(0, 500));
      const change = await smtp.waitFor((m) => m.to === 'moved@example.com');
      const changed = await browser.submit(await browser.get(linkTo(change, '/profile/email/confirm')), /^\/profile\/email\/confirm$/);
      assert.equal(changed.statusCode, 303);

      const res = await new Browser(t).get(link);
      assert.equal(res.statusCode, 410);
      assert.match(res.body, /This link is for an old address/);
      const form = await new Browser(t).get(link);
      assert.equal(findForm(form.body, /^\/verify-email$/), undefined, 'no button for a stale link');
    });
  });
}
