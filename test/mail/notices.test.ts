/**
 * Security notices end to end (issue 15, "Security notices"), on both dialects, through real HTTP
 * and a real SMTP server: each change made the way a person makes it (the profile forms, the
 * approval page, the sign-in form) mails a notice with a text and an HTML part that says what
 * happened, when (UTC), from which browser and address, and links under PUBLIC_URL to the page that
 * undoes it. Changes that must not be told (a re-approval that adds nothing, a sign-in from a known
 * browser, an account's first sign-in) write no notice at all: checked on the outbox, which is
 * written in the change's own transaction, so "none" needs no waiting.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { TestSmtpServer, type ReceivedMail } from '../support/smtp.ts';
import { createClient, createUser, PASSWORD, type TestClient } from '../support/fixtures.ts';
import { Browser, authorizeUrl, codeRequest, findForm, isApprovalPage, isSignInPage, pastWarning, type Response } from '../support/browser.ts';
import { totpCode } from '../../src/crypto/totp.ts';
import { formatTime } from '../../src/domain/dates.ts';
import type { Organization } from '../../src/domain/organizations.ts';

const REDIRECT = 'https://app.example/cb';
const DECISION = /^\/interaction\/[^/]+\/decision$/;
const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0';
const SAFARI = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15';

/** A cookie jar that sends a real browser's User-Agent, as the notice names it. */
class NamedBrowser extends Browser {
  constructor(
    t: TestApp,
    private readonly userAgent: string,
  ) {
    super(t);
  }

  override request(options: Parameters<Browser['request']>[0]): Promise<Response> {
    return super.request({ ...options, headers: { 'user-agent': this.userAgent, ...options.headers } });
  }
}

for (const dialect of dialects()) {
  describe(`security notices (${dialect})`, () => {
    let smtp: TestSmtpServer;
    let t: TestApp;

    before(async () => {
      smtp = await TestSmtpServer.start();
      t = await startTestApp({ dialect, env: { SMTP_URL: smtp.url, MAIL_POLL_MS: '100' } });
    });
    after(async () => {
      await t?.close();
      await smtp?.stop();
    });

    /** The notices written for `to` (of one event type), straight from the outbox. */
    async function notices(to: string, event?: string) {
      const all = await t.deps.stores.outbox.list({ limit: 1000 });
      return all.filter((m) => m.kind === 'notice' && m.to === to && (event === undefined || m.data.event === event));
    }

    /**
     * The notice mailed to `to` under `subject`, checked for what every notice must say: the time
     * (UTC, to the minute, within [since, now]), the browser and address, and links only under
     * PUBLIC_URL, the call to action being `action`.
     */
    async function noticeMail(to: string, subject: string, expect: { since: number; browser: string; action: { label: string; path: string } }): Promise<ReceivedMail> {
      const mail = await smtp.waitFor((m) => m.to === to && m.subject === subject);
      const times = new Set([formatTime(expect.since), formatTime(t.clock.now())]);
      assert.ok([...times].some((time) => mail.text.includes(`When: ${time}`)), `${subject}: the time, one of ${[...times].join(', ')}:\n${mail.text}`);
      assert.match(mail.text, /UTC/);
      assert.ok(mail.text.includes(`Browser: ${expect.browser}`), `${subject}: the browser:\n${mail.text}`);
      assert.match(mail.text, /IP address: 127\.0\.0\.1/);
      const url = `${t.issuer}${expect.action.path}`;
      assert.ok(mail.text.includes(`${expect.action.label}: ${url}`), `${subject}: the link to undo it:\n${mail.text}`);
      assert.ok(mail.links.length > 0);
      for (const link of mail.links) assert.ok(link.startsWith(`${t.issuer}/`), `${subject}: ${link} is under PUBLIC_URL`);
      // The HTML part says the same.
      assert.ok(mail.html.includes(`<strong>Browser:</strong> ${expect.browser}`), mail.html);
      assert.ok(mail.html.includes(`<a href="${url}"`), mail.html);
      assert.ok(mail.html.includes('IP address:</strong> 127.0.0.1'), mail.html);
      assert.doesNotMatch(mail.text + mail.html, /undefined|\[object|null/);
      return mail;
    }

    it('a password changed on /profile: one notice, with a link to reset it', async () => {
      await createUser(t.deps, 'pat@example.com');
      const browser = new NamedBrowser(t, FIREFOX);
      assert.equal((await browser.signIn('pat@example.com')).statusCode, 303);
      const since = t.clock.now();
      const res = await browser.submit(await browser.get('/profile'), /^\/profile\/password$/, { current: PASSWORD, password: 'a brand new passphrase for pat' });
      assert.equal(res.statusCode, 303, res.body);
      const mail = await noticeMail('pat@example.com', 'Your password was changed', { since, browser: 'Firefox on Linux', action: { label: 'Reset your password', path: '/forgot-password' } });
      assert.match(mail.text, /The password of your Tessera account was changed/);
      assert.match(mail.text, /If this was not you/);
      assert.deepEqual((await notices('pat@example.com')).map((m) => m.kind === 'notice' && m.data.event), ['user.password_changed'], 'nothing else (the first sign-in is no notice)');
    });

    it('two-step verification on and off on /profile, and a sign-in with a code from a new browser: a notice each', async () => {
      await createUser(t.deps, 'tom@example.com');
      const browser = new NamedBrowser(t, FIREFOX);
      await browser.signIn('tom@example.com');
      const setup = await browser.follow(await browser.submit(await browser.get('/profile'), /^\/profile\/totp\/start$/));
      const secret = /class="secret">([A-Z2-7]+)</.exec(setup.body)?.[1];
      assert.ok(secret, 'the setup page shows the key');
      let since = t.clock.now();
      assert.equal((await browser.submit(setup, /^\/profile\/totp\/confirm$/, { code: totpCode(secret, t.clock.now()) })).statusCode, 200);
      const on = await noticeMail('tom@example.com', 'Two-step verification was turned on', { since, browser: 'Firefox on Linux', action: { label: 'Review your account', path: '/profile' } });
      assert.match(on.text, /authenticator app/);

      // The second step of a sign-in opens the session too, so it is told as a new browser.
      t.clock.advance(30);
      const other = new NamedBrowser(t, SAFARI);
      const step = await other.signIn('tom@example.com');
      assert.equal(step.headers.location, '/login/code');
      since = t.clock.now();
      const signedIn = await other.submit(await other.get('/login/code'), /^\/login\/code$/, { code: totpCode(secret, t.clock.now()) });
      assert.equal(signedIn.statusCode, 303);
      await noticeMail('tom@example.com', 'New sign-in to your account', { since, browser: 'Safari on macOS', action: { label: 'Review your account', path: '/profile' } });

      t.clock.advance(30);
      since = t.clock.now();
      const off = await browser.submit(await browser.get('/profile'), /^\/profile\/totp\/disable$/, { password: PASSWORD, code: totpCode(secret, t.clock.now()) });
      assert.equal(off.statusCode, 303, off.body);
      const offMail = await noticeMail('tom@example.com', 'Two-step verification was turned off', { since, browser: 'Firefox on Linux', action: { label: 'Review your account', path: '/profile' } });
      assert.match(offMail.text, /signing in now takes only the password/);
      assert.deepEqual(
        (await notices('tom@example.com')).map((m) => m.kind === 'notice' && m.data.event).sort(),
        ['user.signed_in', 'user.totp_disabled', 'user.totp_enabled'],
      );
    });

    describe('a new service authorized', () => {
      let client: TestClient;
      let globex: Organization;
      let initech: Organization;
      const browser = () => new NamedBrowser(t, FIREFOX);
      let gail: NamedBrowser;

      before(async () => {
        const user = await createUser(t.deps, 'gail@example.com');
        globex = (await t.deps.stores.organizations.create({ slug: 'globex', name: 'Globex', ownerUserId: user.id }, t.clock.now()))!;
        initech = (await t.deps.stores.organizations.create({ slug: 'initech', name: 'Initech', ownerUserId: user.id }, t.clock.now()))!;
        client = await createClient(t.deps, { name: 'Acme Planner', redirectUris: [REDIRECT] });
        gail = browser();
      });

      async function approvalPage(scope: string): Promise<Response> {
        const start = await gail.get(authorizeUrl(codeRequest(client.clientId, REDIRECT, { scope, prompt: 'consent' }).params));
        // Past the unverified-service warning of a write, as a person who continues (issue 20).
        const page = await pastWarning(gail, isSignInPage(start) ? await gail.follow(await gail.signInOn(start, 'gail@example.com')) : start);
        assert.ok(isApprovalPage(page), page.body.slice(0, 1500));
        return page;
      }

      /** Approve with the page's defaults, changed by `set`, with the fields in `untick` cleared. */
      async function approve(page: Response, set: Record<string, string> = {}, untick: string[] = []): Promise<void> {
        const form = findForm(page.body, DECISION)!;
        const fields: Record<string, string> = { ...form.hidden, ...set, decision: 'approve' };
        for (const name of untick) delete fields[name];
        const res = await gail.post(form.action, fields);
        assert.equal(res.statusCode, 303, res.body);
        assert.ok(new URL(String(res.headers.location)).searchParams.get('code'));
      }

      const approvals = async () => notices('gail@example.com', 'grant.approved');

      it('the first approval: its name, what it may do, where, and a link to Manage applications', async () => {
        const since = t.clock.now();
        await approve(await approvalPage('openid email workitems:read'), { orgs: 'some' }, [`org_${initech.id}`]);
        const mail = await noticeMail('gail@example.com', 'Acme Planner can now use your Tessera account', {
          since,
          browser: 'Firefox on Linux',
          action: { label: 'Manage applications', path: '/profile/applications' },
        });
        assert.match(mail.text, /You authorized Acme Planner to use your Tessera account\./);
        assert.match(mail.text, /It may:\n- Confirm who you are\.\n- See your email address\.\n- Read work items in your organizations\./);
        assert.match(mail.text, /Only in these organizations: Globex\./);
        assert.match(mail.html, /<li>See your email address\.<\/li>/);
        const [row] = await approvals();
        assert.ok(row?.kind === 'notice');
        assert.equal(row.data.detail.first, true);
        assert.deepEqual(row.data.detail.orgs, ['Globex']);
      });

      it('approving the same again writes no notice', async () => {
        await approve(await approvalPage('openid email workitems:read'));
        const grant = await t.deps.stores.grants.findLive((await t.deps.stores.users.findByEmail('gail@example.com'))!.id, client.clientId, t.clock.now());
        assert.deepEqual(grant?.orgIds, [globex.id], 'the grant is as it was');
        assert.equal((await approvals()).length, 1);
      });

      it('more scopes, then more organizations: a notice each, saying what it may now do and where', async () => {
        let since = t.clock.now();
        await approve(await approvalPage('openid email workitems:read workitems:write'));
        assert.equal((await approvals()).length, 2);
        const wider = await noticeMail('gail@example.com', 'Acme Planner was given more access to your account', {
          since,
          browser: 'Firefox on Linux',
          action: { label: 'Manage applications', path: '/profile/applications' },
        });
        assert.match(wider.text, /You gave Acme Planner more access to your Tessera account\./);
        assert.match(wider.text, /It may now:\n(- .*\n)*- Create, change and delete work items in your organizations\./);
        assert.match(wider.text, /Only in these organizations: Globex\./);

        since = t.clock.now();
        await approve(await approvalPage('openid email workitems:read workitems:write'), { orgs: 'all', [`org_${initech.id}`]: 'on' });
        const rows = await approvals();
        assert.equal(rows.length, 3);
        assert.ok(rows.every((m) => m.kind === 'notice' && m.data.browser === 'Firefox on Linux'));
        const everywhere = await smtp.waitFor((m) => m.to === 'gail@example.com' && m.subject.includes('more access') && m.text.includes('In every organization'));
        assert.match(everywhere.text, /In every organization you belong to, now and later\./);
        assert.ok(since <= t.clock.now());
      });
    });

    it('a sign-in from a browser the account has not used: one notice; the first sign-in, the same browser again and after sign-out: none', async () => {
      const user = await createUser(t.deps, 'nina@example.com');
      const first = new NamedBrowser(t, FIREFOX);
      assert.equal((await first.signIn('nina@example.com')).statusCode, 303);
      assert.equal((await notices('nina@example.com')).length, 0, "an account's first sign-in is not a new browser");

      // The browser's id: long-lived, HttpOnly, Lax, and stored only as a digest with the account.
      const cookie = first.cookies.get('tessera_browser');
      assert.ok(cookie && cookie.value.startsWith('tsb_'), first.setCookieLines.join('\n'));
      for (const flag of [/; Max-Age=34560000/, /; Path=\//, /; HttpOnly/, /; SameSite=Lax/]) assert.match(cookie.raw, flag);
      const rows = await t.deps.database.db.selectFrom('known_browsers').selectAll().where('user_id', '=', user.id).execute();
      assert.equal(rows.length, 1);
      assert.ok(!rows[0]!.browser_digest.includes(cookie.value.slice(4)), 'a digest, not the id');

      assert.equal((await first.signIn('nina@example.com')).statusCode, 303);
      await first.submit(await first.get('/'), /^\/logout\/confirm$/);
      assert.equal(first.sessionCookie(), undefined, 'signed out');
      assert.equal(first.cookies.get('tessera_browser')?.value, cookie.value, 'sign-out keeps the browser id');
      assert.equal((await first.signIn('nina@example.com')).statusCode, 303);
      assert.equal((await notices('nina@example.com')).length, 0, 'the same browser is never new');

      const second = new NamedBrowser(t, SAFARI);
      const since = t.clock.now();
      assert.equal((await second.signIn('nina@example.com')).statusCode, 303);
      assert.equal((await notices('nina@example.com', 'user.signed_in')).length, 1);
      const mail = await noticeMail('nina@example.com', 'New sign-in to your account', { since, browser: 'Safari on macOS', action: { label: 'Review your account', path: '/profile' } });
      assert.match(mail.text, /signed in to from a browser it had not been used with before/);
      const profile = await first.get('/profile');
      assert.match(profile.body, /Signed in from a new browser/);

      // Known from now on; and a value that is not one of ours is no id at all (a new browser).
      assert.equal((await second.signIn('nina@example.com')).statusCode, 303);
      assert.equal((await notices('nina@example.com', 'user.signed_in')).length, 1);
      const forged = new NamedBrowser(t, SAFARI);
      forged.cookies.set('tessera_browser', { name: 'tessera_browser', value: 'not-an-id', raw: '' });
      await forged.signIn('nina@example.com');
      assert.equal((await notices('nina@example.com', 'user.signed_in')).length, 2);
      assert.match(forged.cookies.get('tessera_browser')?.value ?? '', /^tsb_/, 'given an id of its own');
    });
  });
}
