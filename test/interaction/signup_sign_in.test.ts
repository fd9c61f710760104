/**
 * "After sign-up, the person is signed in" (issue 20), over app.inject on both dialects: the
 * verification link mailed at sign-up, used in the browser that signed up, verifies the address
 * and opens a session (amr ["pwd"], auth_time the sign-up's, `user.signed_in` via signup_link)
 * that continues the pending authorization by its id, or goes home. Without that browser's cookie
 * (another browser, a forged value, after SIGN_UP_BROWSER_SECONDS, after the password changed or a
 * second factor came) the link only verifies the address and nobody is signed in.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createClient, type TestClient } from '../support/fixtures.ts';
import { Browser, authorizeUrl, codeRequest, findForm, isApprovalPage, type Response } from '../support/browser.ts';
import { linkValue } from '../../src/crypto/account_links.ts';
import { accountLinkKey } from '../../src/crypto/derived_keys.ts';
import { digest } from '../../src/crypto/digest.ts';
import { SIGN_UP_BROWSER_SECONDS } from '../../src/domain/account_links.ts';
import type { User } from '../../src/domain/users.ts';

const PASSWORD = 'marigold kites over 3 harbours';
const REDIRECT = 'https://app.example/cb';
const ENV = { THROTTLE_LOGIN_PER_IP: '100000/300' };

for (const dialect of dialects()) {
  describe(`signed in by the sign-up link (${dialect})`, () => {
    let t: TestApp;
    let client: TestClient;

    before(async () => {
      t = await startTestApp({ dialect, env: ENV });
      client = await createClient(t.deps, { redirectUris: [REDIRECT] });
    });
    after(() => t?.close());

    async function signUp(browser: Browser, email: string, interaction?: string): Promise<Response> {
      const page = await browser.get(interaction === undefined ? '/signup' : `/signup?interaction=${interaction}`);
      const res = await browser.submit(page, /^\/signup$/, { name: 'Noor', email, password: PASSWORD });
      assert.equal(res.statusCode, 200, res.body.slice(0, 300));
      return res;
    }

    async function account(email: string): Promise<User> {
      const user = await t.deps.stores.users.findByEmail(email);
      assert.ok(user, email);
      return user;
    }

    /** The link the sign-up mail carries (the mail sender computes the same value from the row). */
    async function mailedLink(email: string): Promise<string> {
      const link = await t.deps.stores.accountLinks.latest((await account(email)).id, 'verify_email');
      assert.ok(link);
      return `/verify-email?link=${linkValue(accountLinkKey(t.deps.formKey), 'verify_email', link.id)}`;
    }

    /** Opens the link's page (GET changes nothing) and presses its button. */
    async function useLink(browser: Browser, path: string): Promise<Response> {
      const page = await browser.get(path);
      assert.equal(page.statusCode, 200);
      assert.equal(browser.sessionCookie(), undefined, 'the GET opens no session');
      return browser.submit(page, /^\/verify-email$/);
    }

    it('in the browser that signed up: the address is verified, a session opens (pwd, the sign-up time), and it goes home', async () => {
      const browser = new Browser(t);
      await signUp(browser, 'home@example.com');
      const signedUpAt = t.clock.now();
      t.clock.advance(120);
      const res = await useLink(browser, await mailedLink('home@example.com'));
      assert.deepEqual([res.statusCode, res.headers.location], [303, '/']);
      const cookie = browser.sessionCookie();
      assert.ok(cookie, 'signed in');
      assert.equal([...browser.cookies.keys()].includes('tessera_signup'), false, 'the sign-up cookie is spent');
      const found = await t.deps.stores.sessions.findLiveWithUser(digest(cookie.value), t.clock.now());
      assert.equal(found?.user?.email, 'home@example.com');
      assert.notEqual(found?.user?.emailVerifiedAt, null);
      assert.deepEqual(found?.session.amr, ['pwd']);
      assert.ok(Math.abs(found!.session.authTime - signedUpAt) <= 1, 'auth_time is when the password was typed');
      const [event] = await t.deps.stores.audit.listForUser(found!.user!.id, ['user.signed_in'], 1);
      assert.deepEqual({ amr: event?.detail.amr, via: event?.detail.via }, { amr: ['pwd'], via: 'signup_link' });
      const home = await browser.get('/');
      assert.equal(home.statusCode, 200);
      assert.match(home.body, /Noor/);
      // Each link works once: used again (even here), it is refused and opens nothing new.
      const again = await browser.get(await mailedLink('home@example.com'));
      assert.equal(again.statusCode, 410);
      assert.equal(findForm(again.body, /^\/verify-email$/), undefined);
      const forced = await browser.post('/verify-email', { link: (await mailedLink('home@example.com')).split('=')[1]!, token: 'x' });
      assert.equal(forced.statusCode, 403, 'and its form guard still holds');
    });

    it('from an authorization: the link goes back to it by its interaction id, and the approval page shows', async () => {
      const browser = new Browser(t);
      const { params } = codeRequest(client.clientId, REDIRECT);
      const login = await browser.follow(await browser.get(authorizeUrl(params)));
      const interaction = findForm(login.body, /^\/login$/)!.hidden.interaction!;
      await signUp(browser, 'authz@example.com', interaction);
      const res = await useLink(browser, await mailedLink('authz@example.com'));
      assert.deepEqual([res.statusCode, res.headers.location], [303, `/authorize/resume?interaction=${interaction}`]);
      assert.ok(isApprovalPage(await browser.follow(res)));
    });

    it('an authorization that ended meanwhile: signed in all the same, and home', async () => {
      const browser = new Browser(t);
      const { params } = codeRequest(client.clientId, REDIRECT);
      const login = await browser.follow(await browser.get(authorizeUrl(params)));
      const interaction = findForm(login.body, /^\/login$/)!.hidden.interaction!;
      await signUp(browser, 'ended@example.com', interaction);
      await t.deps.stores.interactions.consume(interaction, t.clock.now());
      const res = await useLink(browser, await mailedLink('ended@example.com'));
      assert.deepEqual([res.statusCode, res.headers.location], [303, '/']);
      assert.ok(browser.sessionCookie());
    });

    it('in another browser, or with a forged cookie: the address is verified, nobody is signed in', async () => {
      await signUp(new Browser(t), 'elsewhere@example.com');
      const other = new Browser(t);
      other.cookies.set('tessera_signup', { name: 'tessera_signup', value: `tsv_${'A'.repeat(43)}`, raw: '' });
      const res = await useLink(other, await mailedLink('elsewhere@example.com'));
      assert.equal(res.statusCode, 200);
      assert.match(res.body, /Your address is confirmed/);
      assert.match(res.body, /href="\/login"/, 'it says to sign in');
      assert.equal(other.sessionCookie(), undefined);
      assert.notEqual((await account('elsewhere@example.com')).emailVerifiedAt, null);
    });

    it('the cookie of a taken address opens nothing: its owner is not signed in by anyone', async () => {
      const owner = new Browser(t);
      await signUp(owner, 'owned@example.com');
      const squatter = new Browser(t);
      await signUp(squatter, 'owned@example.com');
      const res = await useLink(squatter, await mailedLink('owned@example.com'));
      assert.equal(res.statusCode, 200);
      assert.equal(squatter.sessionCookie(), undefined);
    });

    it('after the password changed since the sign-up, the link only verifies', async () => {
      const browser = new Browser(t);
      await signUp(browser, 'changed@example.com');
      const user = await account('changed@example.com');
      t.clock.advance(5);
      await t.deps.stores.users.changePassword(user.id, user.passwordHash!, '', t.clock.now(), { type: 'user.password_changed', userId: user.id });
      const res = await useLink(browser, await mailedLink('changed@example.com'));
      assert.equal(res.statusCode, 200);
      assert.equal(browser.sessionCookie(), undefined);
    });

    it('with a second factor turned on since the sign-up, the link only verifies (the factor is asked at sign-in)', async () => {
      const browser = new Browser(t);
      await signUp(browser, 'factor@example.com');
      const user = await account('factor@example.com');
      assert.equal(await t.deps.accounts.startTotp(user), true);
      assert.equal(await t.deps.stores.users.enableTotp(user.id, 0, [], t.clock.now(), { type: 'user.totp_enabled', userId: user.id }), true);
      const res = await useLink(browser, await mailedLink('factor@example.com'));
      assert.equal(res.statusCode, 200);
      assert.equal(browser.sessionCookie(), undefined);
    });

    it(`after ${SIGN_UP_BROWSER_SECONDS / 60} minutes the cookie no longer signs in, even if the browser kept it`, async () => {
      const browser = new Browser(t);
      await signUp(browser, 'late@example.com');
      t.clock.advance(SIGN_UP_BROWSER_SECONDS);
      const res = await useLink(browser, await mailedLink('late@example.com'));
      assert.equal(res.statusCode, 200);
      assert.match(res.body, /Your address is confirmed/);
      assert.equal(browser.sessionCookie(), undefined);
    });
  });

  describe(`the sign-up cookie over https (${dialect})`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp({ dialect, env: { ...ENV, PUBLIC_URL: 'https://tessera.example' } });
    });
    after(() => t?.close());

    it('is __Host-, Secure, HttpOnly, SameSite=Lax, Path=/, no Domain, for 30 minutes (SECURITY 36)', async () => {
      const browser = new Browser(t);
      const res = await browser.submit(await browser.get('/signup'), /^\/signup$/, { name: 'Sol', email: 'sol@example.com', password: PASSWORD });
      assert.equal(res.statusCode, 200);
      const [line, ...more] = [res.headers['set-cookie']].flat().map(String);
      assert.deepEqual(more, []);
      assert.match(line!, /^__Host-tessera_signup=tsv_[A-Za-z0-9_-]{43}; /);
      for (const flag of [/; Secure/i, /; HttpOnly/i, /; SameSite=Lax/i, /; Path=\//, /; Max-Age=1800/]) assert.match(line!, flag);
      assert.doesNotMatch(line!, /Domain=/i);
    });
  });
}
