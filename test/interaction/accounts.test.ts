/**
 * Personal accounts: sign-up (no enumeration, SECURITY 33; password rules, 34), the profile
 * (sessions, name, password; SECURITY 37), audit events, and CSRF on every new form (28).
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createClient, createUser, PASSWORD, type TestClient } from '../support/fixtures.ts';
import { Browser, authorizeUrl, codeRequest, findForm, isApprovalPage, isSignInPage, redirectLocation } from '../support/browser.ts';
import { exchangeCode, issueTestCode, refresh } from '../support/codes.ts';
import { passwordProblem } from '../../src/services/accounts/password_policy.ts';
import { deviceName } from '../../src/domain/devices.ts';

const REDIRECT = 'https://app.example/cb';
const NEW_PASSWORD = 'violet lantern across 9 rivers';
const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
const IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1';

describe('password rules', () => {
  it('refuses short, over-long and common passwords; accepts any Unicode', () => {
    assert.equal(passwordProblem('short7!'), 'too_short');
    assert.equal(passwordProblem('🔑🔑🔑🔑🔑🔑🔑'), 'too_short', 'characters, not UTF-16 units');
    assert.equal(passwordProblem('x'.repeat(1025)), 'too_long');
    assert.equal(passwordProblem('é'.repeat(513)), 'too_long', '1,026 bytes');
    assert.equal(passwordProblem('password1'), 'common');
    assert.equal(passwordProblem('Password1'), 'common', 'case does not escape the list');
    assert.equal(passwordProblem('12345678'), 'common');
    assert.equal(passwordProblem('qwertyuiop'), 'common');
    assert.equal(passwordProblem('pässwörd🔑 unter den linden'), undefined);
    assert.equal(passwordProblem(NEW_PASSWORD), undefined);
  });

  it('names devices from their User-Agent', () => {
    assert.equal(deviceName(FIREFOX), 'Firefox on Linux');
    assert.equal(deviceName(IPHONE), 'Safari on iOS');
    assert.equal(deviceName(null), 'Unknown device');
  });
});

for (const dialect of dialects()) {
  describe(`personal accounts (${dialect})`, () => {
    let t: TestApp;
    let client: TestClient;

    before(async () => {
      t = await startTestApp({ dialect });
      await createUser(t.deps, 'taken@example.com', 'Taken');
      client = await createClient(t.deps, { redirectUris: [REDIRECT] });
    });
    after(() => t.close());

    async function signUp(browser: Browser, fields: Record<string, string>, from = '/login') {
      const login = await browser.get(from);
      const link = /href="(\/signup[^"]*)"/.exec(login.body)?.[1]?.replace(/&amp;/g, '&');
      assert.ok(link, 'the sign-in page links to Create account');
      const page = await browser.get(link);
      assert.equal(page.statusCode, 200);
      return browser.submit(page, /^\/signup$/, fields);
    }

    it('sign-up from a pending authorization answers "Check your inbox", naming the address and the service; signing in with the password continues it', async () => {
      const browser = new Browser(t);
      const { params } = codeRequest(client.clientId, REDIRECT);
      const login = await browser.follow(await browser.get(authorizeUrl(params)));
      assert.ok(isSignInPage(login));
      const interaction = findForm(login.body, /^\/login$/)!.hidden.interaction!;
      const res = await signUp(browser, { name: 'Nadia Nouveau', email: 'Nadia@Example.com', password: NEW_PASSWORD }, `/login?interaction=${interaction}`);
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers.location, undefined);
      assert.match(res.body, /<h1>Check your inbox<\/h1>/);
      assert.match(res.body, /<strong>nadia@example\.com<\/strong>/);
      assert.match(res.body, /for 24 hours/);
      assert.match(res.body, /within 30 minutes/);
      assert.match(res.body, new RegExp(`come back to ${client.app.name} to finish`));
      assert.match(res.body, new RegExp(`href="/signup\\?interaction=${interaction}"`), 'start over, for the same authorization');
      const cookie = [...browser.cookies.values()].find((c) => c.name === 'tessera_signup');
      assert.ok(cookie, 'the sign-up cookie');
      assert.match(cookie.raw, /HttpOnly/i);
      assert.match(cookie.raw, /SameSite=Lax/i);
      assert.match(cookie.raw, /Max-Age=1800/i);
      // The person may still sign in with the password they chose, from the page's link.
      const signIn = await browser.get(`/login?interaction=${interaction}`);
      const approval = await browser.follow(await browser.signInOn(signIn, 'nadia@example.com', NEW_PASSWORD));
      assert.ok(isApprovalPage(approval), approval.body.slice(0, 500));
      const user = await t.deps.stores.users.findByEmail('nadia@example.com');
      assert.equal(user?.name, 'Nadia Nouveau');
      const link = await t.deps.stores.accountLinks.latest(user!.id, 'verify_email');
      assert.equal(link?.interactionId, interaction, 'the link remembers the authorization');
      assert.match(link?.browserDigest ?? '', /^[A-Za-z0-9_-]{43}$/, 'and the digest of the cookie, not the cookie');
      assert.notEqual(link?.browserDigest, cookie.value);
    });

    it('sign-up with an existing email answers exactly like a new one and changes nothing (SECURITY 33)', async () => {
      const before = await t.deps.stores.users.findByEmail('taken@example.com');
      const fresh = await signUp(new Browser(t), { name: 'Someone', email: 'fresh@example.com', password: NEW_PASSWORD });
      const taken = await signUp(new Browser(t), { name: 'Mallory', email: 'TAKEN@example.com', password: NEW_PASSWORD });
      assert.equal(fresh.statusCode, 200);
      assert.equal(taken.statusCode, 200);
      assert.equal(fresh.headers.location, taken.headers.location);
      assert.equal(fresh.body.replaceAll('fresh@example.com', 'ADDRESS'), taken.body.replaceAll('taken@example.com', 'ADDRESS'));
      assert.deepEqual(Object.keys(fresh.headers).sort(), Object.keys(taken.headers).sort());
      // One cookie each, of the same name, flags and shape; the values differ (each is random).
      const shape = (res: typeof fresh) => [res.headers['set-cookie']].flat().map((c) => String(c).replace(/=tsv_[A-Za-z0-9_-]{43};/, '=VALUE;'));
      assert.deepEqual(shape(fresh), shape(taken));
      assert.equal(shape(fresh).length, 1);
      assert.notEqual(fresh.headers['set-cookie'], taken.headers['set-cookie']);
      const after = await t.deps.stores.users.findByEmail('taken@example.com');
      assert.deepEqual(after, before, 'the existing account is untouched');
      // The squatter's password does not open the existing account.
      assert.equal((await new Browser(t).signIn('taken@example.com', NEW_PASSWORD)).statusCode, 401);
    });

    it('refuses bad sign-up input with 400 and the reason, creating nothing', async () => {
      for (const [fields, reason] of [
        [{ name: 'A', email: 'a1@example.com', password: 'short' }, /at least 8 characters/],
        [{ name: 'A', email: 'a2@example.com', password: 'Password123' }, /too common/],
        [{ name: 'A', email: 'a3@example.com', password: 'y'.repeat(1025) }, /too long/],
        [{ name: 'A', email: 'not-an-email', password: NEW_PASSWORD }, /valid email/],
        [{ name: '   ', email: 'a4@example.com', password: NEW_PASSWORD }, /Enter your name/],
      ] as const) {
        const res = await signUp(new Browser(t), fields);
        assert.equal(res.statusCode, 400, JSON.stringify(fields));
        assert.match(res.body, reason);
        assert.equal(await t.deps.stores.users.findByEmail(fields.email), undefined);
      }
    });

    it('the sign-up form refuses a missing token and cross-site posts (403)', async () => {
      const browser = new Browser(t);
      const fields = { name: 'X', email: 'csrf@example.com', password: NEW_PASSWORD };
      assert.equal((await browser.post('/signup', fields)).statusCode, 403);
      const page = await browser.get('/signup');
      assert.equal((await browser.submit(page, /^\/signup$/, fields, { origin: 'https://evil.example' })).statusCode, 403);
      assert.equal(await t.deps.stores.users.findByEmail('csrf@example.com'), undefined);
      assert.equal(page.headers['cache-control'], 'no-store');
      assert.match(String(page.headers['content-security-policy']), /frame-ancestors 'none'/);
    });

    it('the profile shows name, account kind, sessions with their device, security events, and a Sign out control', async () => {
      await createUser(t.deps, 'pat@example.com', 'Pat');
      const laptop = new Browser(t);
      const phone = new Browser(t);
      await laptop.follow(await laptop.signIn('pat@example.com', 'wrong password'));
      await laptop.signInOn(await laptop.get('/login'), 'pat@example.com', PASSWORD, );
      await phone.request({ method: 'POST', url: '/login', form: { ...findForm((await phone.get('/login', { 'user-agent': IPHONE })).body, /^\/login$/)!.hidden, email: 'pat@example.com', password: PASSWORD }, headers: { 'user-agent': IPHONE } });
      const profile = await laptop.get('/profile');
      assert.equal(profile.statusCode, 200);
      assert.match(profile.body, /Pat/);
      assert.match(profile.body, /pat@example\.com/);
      assert.match(profile.body, /Personal account/);
      assert.match(profile.body, /Safari on iOS/);
      assert.match(profile.body, /\(this session\)/);
      assert.match(profile.body, /Failed sign-in attempt/);
      assert.match(profile.body, /Signed in/);
      assert.ok(findForm(profile.body, /^\/logout\/confirm$/), 'a Sign out control');
      assert.equal(profile.headers['cache-control'], 'no-store');
      assert.equal((await new Browser(t).get('/profile')).statusCode, 302, 'signed out: to sign-in');
    });

    it('signs out another session from the profile; the current one survives', async () => {
      await createUser(t.deps, 'sam@example.com', 'Sam');
      const laptop = new Browser(t);
      const phone = new Browser(t);
      await laptop.signIn('sam@example.com');
      await phone.request({ method: 'POST', url: '/login', form: { ...findForm((await phone.get('/login')).body, /^\/login$/)!.hidden, email: 'sam@example.com', password: PASSWORD }, headers: { 'user-agent': IPHONE } });
      assert.equal((await phone.get('/profile')).statusCode, 200);
      const profile = await laptop.get('/profile');
      const res = await laptop.submit(profile, /^\/profile\/sessions\/end$/);
      assert.equal(res.statusCode, 303);
      assert.equal(res.headers.location, '/profile?done=session');
      assert.equal((await phone.get('/profile')).statusCode, 302, 'the phone is signed out');
      const after = await laptop.get('/profile');
      assert.equal(after.statusCode, 200);
      assert.doesNotMatch(after.body, /Safari on iOS/);
      // A handle that is not one of yours does nothing.
      const bogus = await laptop.post('/profile/sessions/end', { token: findForm(after.body, /^\/profile\/name$/)!.hidden.token!, session: 'x'.repeat(32) });
      assert.equal(bogus.statusCode, 303);
      assert.equal((await laptop.get('/profile')).statusCode, 200);
    });

    it('changes the name (CSRF-protected)', async () => {
      await createUser(t.deps, 'ren@example.com', 'Ren');
      const browser = new Browser(t);
      await browser.signIn('ren@example.com');
      const profile = await browser.get('/profile');
      assert.equal((await browser.post('/profile/name', { name: 'Forged' })).statusCode, 403);
      assert.equal((await browser.submit(profile, /^\/profile\/name$/, { name: 'Forged' }, { origin: 'https://evil.example' })).statusCode, 403);
      const res = await browser.submit(profile, /^\/profile\/name$/, { name: '  Ren Renamed  ' });
      assert.equal(res.statusCode, 303);
      assert.equal((await t.deps.stores.users.findByEmail('ren@example.com'))?.name, 'Ren Renamed');
      assert.match((await browser.get('/profile')).body, /Name changed/);
      assert.equal((await browser.submit(profile, /^\/profile\/name$/, { name: '' })).statusCode, 400);
    });

    it('changing the password needs the current one, ends the other sessions and every refresh token (SECURITY 37)', async () => {
      const alice = await createUser(t.deps, 'alice@example.com', 'Alice');
      const here = new Browser(t);
      const elsewhere = new Browser(t);
      await here.signIn('alice@example.com');
      await elsewhere.signIn('alice@example.com');
      const issued = await issueTestCode(t.deps, { client, user: alice, scopes: ['openid', 'offline_access'] });
      const pair = (await exchangeCode(t, client, issued)).json() as { refresh_token: string };
      assert.ok(pair.refresh_token);

      const profile = await here.get('/profile');
      const wrong = await here.submit(profile, /^\/profile\/password$/, { current: 'not my password', password: NEW_PASSWORD });
      assert.equal(wrong.statusCode, 400);
      assert.match(wrong.body, /current password is incorrect/);
      const common = await here.submit(profile, /^\/profile\/password$/, { current: PASSWORD, password: 'iloveyou123' });
      assert.equal(common.statusCode, 400);
      assert.match(common.body, /too common/);
      assert.equal((await elsewhere.get('/profile')).statusCode, 200, 'nothing changed yet');

      t.clock.advance(1);
      const res = await here.submit(profile, /^\/profile\/password$/, { current: PASSWORD, password: NEW_PASSWORD });
      assert.equal(res.statusCode, 303);
      const after = await here.get('/profile');
      assert.equal(after.statusCode, 200, 'this session stays');
      assert.match(after.body, /Password changed/);
      assert.equal((await elsewhere.get('/profile')).statusCode, 302, 'the other session ended');
      const refreshed = await refresh(t, client, pair.refresh_token);
      assert.equal(refreshed.statusCode, 400);
      assert.equal(refreshed.json().error, 'invalid_grant');
      assert.equal((await new Browser(t).signIn('alice@example.com', PASSWORD)).statusCode, 401);
      assert.equal((await new Browser(t).signIn('alice@example.com', NEW_PASSWORD)).statusCode, 303);
    });

    it('sign-out is recorded among the security events', async () => {
      await createUser(t.deps, 'olga@example.com', 'Olga');
      const a = new Browser(t);
      await a.signIn('olga@example.com');
      const out = await a.submit(await a.get('/profile'), /^\/logout\/confirm$/);
      assert.equal(out.statusCode, 303);
      const b = new Browser(t);
      await b.signIn('olga@example.com');
      assert.match((await b.get('/profile')).body, /Signed out/);
      assert.equal(redirectLocation(await a.get('/profile')), '/login');
    });
  });
}

for (const dialect of dialects()) {
  describe(`sign-up flood (${dialect})`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp({ dialect, env: { THROTTLE_LOGIN_PER_IP: '3/300' } });
    });
    after(() => t.close());

    it('sign-ups from one address are limited (429 with Retry-After), and create nothing once refused', async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) {
        const browser = new Browser(t);
        const res = await browser.submit(await browser.get('/signup'), /^\/signup$/, { name: 'F', email: `flood${i}@example.com`, password: NEW_PASSWORD });
        statuses.push(res.statusCode);
        if (res.statusCode === 429) assert.ok(Number(res.headers['retry-after']) > 0);
      }
      assert.deepEqual(statuses, [200, 200, 200, 429]);
      assert.equal(await t.deps.stores.users.findByEmail('flood3@example.com'), undefined);
    });
  });
}
