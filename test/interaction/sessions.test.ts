/**
 * Sign-in, sessions and sign-out: no enumeration (SECURITY 33), a new session id at every
 * sign-in (35), cookie flags (36), sign-out (38), CSRF on the login form.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createClient, createUser, PASSWORD, type TestClient } from '../support/fixtures.ts';
import { Browser, authorize, authorizeUrl, codeRequest, findForm, isSignInPage } from '../support/browser.ts';
import { digest } from '../../src/crypto/digest.ts';

const REDIRECT = 'https://app.example/cb';

for (const dialect of dialects()) {
  describe(`sign-in and sessions (${dialect})`, () => {
    let t: TestApp;
    let client: TestClient;

    before(async () => {
      t = await startTestApp({ dialect });
      await createUser(t.deps, 'alice@example.com', 'Alice');
      client = await createClient(t.deps, { redirectUris: [REDIRECT] });
    });
    after(() => t.close());

    it('sign-in without a pending request lands on a home page with a Sign out button', async () => {
      const browser = new Browser(t);
      const res = await browser.signIn('alice@example.com');
      assert.equal(res.statusCode, 303);
      assert.equal(res.headers.location, '/');
      const home = await browser.follow(res);
      assert.equal(home.statusCode, 200);
      assert.match(home.body, /Alice/);
      assert.ok(findForm(home.body, /^\/logout\/confirm$/));
    });

    it('an unknown email and a wrong password get the same answer (SECURITY 33)', async () => {
      const browser = new Browser(t);
      const page = await browser.get('/login');
      const unknown = await browser.submit(page, /^\/login$/, { email: 'nobody@example.com', password: 'wrong password' });
      const wrong = await browser.submit(page, /^\/login$/, { email: 'nobody@example.com'.replace('nobody', 'alice'), password: 'wrong password' });
      assert.equal(unknown.statusCode, 401);
      assert.equal(wrong.statusCode, 401);
      assert.match(unknown.body, /Email or password is incorrect\./);
      const normalize = (body: string) => body.replace(/value="[^"]*@example\.com"/, '').replace(/name="token" value="[^"]*"/, '');
      assert.equal(normalize(unknown.body), normalize(wrong.body));
      assert.equal(unknown.headers['set-cookie'], undefined);
      assert.equal(wrong.headers['set-cookie'], undefined);
      assert.deepEqual(Object.keys(unknown.headers).sort(), Object.keys(wrong.headers).sort());
    });

    it('a 1 MB password is refused quickly with 413, never 500', async () => {
      const started = Date.now();
      const res = await new Browser(t).post('/login', { email: 'alice@example.com', password: 'x'.repeat(1024 * 1024) });
      assert.equal(res.statusCode, 413);
      assert.ok(Date.now() - started < 1000);
    });

    it('the login form refuses a missing token and cross-site posts (403)', async () => {
      const browser = new Browser(t);
      assert.equal((await browser.post('/login', { email: 'alice@example.com', password: PASSWORD })).statusCode, 403);
      const page = await browser.get('/login');
      assert.equal((await browser.submit(page, /^\/login$/, { email: 'alice@example.com', password: PASSWORD }, { origin: 'https://evil.example' })).statusCode, 403);
      assert.equal((await browser.submit(page, /^\/login$/, { email: 'alice@example.com', password: PASSWORD }, { 'sec-fetch-site': 'cross-site' })).statusCode, 403);
      assert.equal(browser.sessionCookie(), undefined);
    });

    it('every sign-in issues a new session id; a planted cookie is ignored (SECURITY 35)', async () => {
      const browser = new Browser(t);
      await browser.signIn('alice@example.com');
      const s0 = browser.sessionCookie()!.value;
      assert.match(s0, /^tsn_[A-Za-z0-9_-]{43}$/);
      const res = await browser.signIn('alice@example.com');
      const s1 = browser.sessionCookie()!.value;
      assert.notEqual(s1, s0);
      assert.match(String(res.headers['set-cookie']), /tessera_session=tsn_/);
      // S0 is no longer a session.
      assert.equal(await t.deps.stores.sessions.findLive(digest(s0), t.clock.now()), undefined);
      const old = await new Browser(t).get(authorizeUrl(codeRequest(client.clientId, REDIRECT).params), { cookie: `tessera_session=${s0}` });
      assert.ok(isSignInPage(old));

      // An attacker's cookie value is never adopted.
      const planted = 'tsn_' + 'A'.repeat(43);
      const victim = new Browser(t);
      const page = await victim.get('/login', { cookie: `tessera_session=${planted}` });
      const signedIn = await victim.request({ method: 'POST', url: '/login', form: { ...findForm(page.body, /^\/login$/)!.hidden, email: 'alice@example.com', password: PASSWORD }, headers: { cookie: `tessera_session=${planted}` } });
      assert.equal(signedIn.statusCode, 303);
      assert.notEqual(victim.sessionCookie()!.value, planted);
      assert.equal(await t.deps.stores.sessions.findLive(digest(planted), t.clock.now()), undefined);
    });

    it('sign-out needs its token, ends the session, clears the cookie and sends Clear-Site-Data (SECURITY 38)', async () => {
      const browser = new Browser(t);
      await browser.signIn('alice@example.com');
      const cookie = browser.sessionCookie()!.value;
      const home = await browser.get('/');
      assert.equal((await browser.post('/logout/confirm', {})).statusCode, 403);
      assert.equal((await browser.submit(home, /^\/logout\/confirm$/, {}, { origin: 'https://evil.example' })).statusCode, 403);
      assert.ok(await t.deps.stores.sessions.findLive(digest(cookie), t.clock.now()), 'the refused posts left the session alone');
      const res = await browser.submit(home, /^\/logout\/confirm$/);
      assert.equal(res.statusCode, 303);
      assert.equal(res.headers.location, '/logout', 'to the signed-out page');
      assert.equal(res.headers['clear-site-data'], '"cookies"');
      const signedOut = await browser.follow(res);
      assert.equal(signedOut.statusCode, 200);
      assert.match(signedOut.body, /You are signed out/);
      assert.equal(findForm(signedOut.body, /^\/logout\/confirm$/), undefined, 'nothing left to sign out of');
      assert.equal(browser.sessionCookie(), undefined);
      assert.equal(await t.deps.stores.sessions.findLive(digest(cookie), t.clock.now()), undefined);
      // The old cookie gets a sign-in prompt, and prompt=none gets login_required.
      const again = new Browser(t);
      const page = await again.get(authorizeUrl(codeRequest(client.clientId, REDIRECT).params), { cookie: `tessera_session=${cookie}` });
      assert.ok(isSignInPage(page));
      const none = await again.get(authorizeUrl(codeRequest(client.clientId, REDIRECT, { prompt: 'none' }).params), { cookie: `tessera_session=${cookie}` });
      assert.equal(new URL(String(none.headers.location)).searchParams.get('error'), 'login_required');
    });

    it('GET /logout asks for confirmation and keeps the session', async () => {
      const browser = new Browser(t);
      await browser.signIn('alice@example.com');
      const page = await browser.get('/logout');
      assert.equal(page.statusCode, 200);
      assert.ok(findForm(page.body, /^\/logout\/confirm$/));
      assert.ok(await t.deps.stores.sessions.findLive(digest(browser.sessionCookie()!.value), t.clock.now()));
    });

    it('the stylesheet is served from our origin', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/assets/tessera.css' });
      assert.equal(res.statusCode, 200);
      assert.match(String(res.headers['content-type']), /^text\/css/);
    });
  });

  describe(`session cookie flags over https (${dialect})`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp({ dialect, env: { PUBLIC_URL: 'https://tessera.example' } });
      await createUser(t.deps, 'alice@example.com');
    });
    after(() => t.close());

    it('Secure, HttpOnly, SameSite=Lax, Path=/, __Host- prefix, no Domain, on every Set-Cookie (SECURITY 36)', async () => {
      const client = await createClient(t.deps, { redirectUris: [REDIRECT] });
      const browser = new Browser(t);
      const url = await authorize(t, codeRequest(client.clientId, REDIRECT).params, { email: 'alice@example.com', approve: true, browser });
      assert.equal(url.searchParams.get('iss'), 'https://tessera.example');
      await browser.submit(await browser.get('/'), /^\/logout\/confirm$/);
      assert.ok(browser.setCookieLines.length >= 2, 'sign-in and sign-out both set the cookie');
      for (const line of browser.setCookieLines) {
        // The session cookie, and the browser's id set with it (device recognition, issue 15).
        assert.match(line, /^__Host-tessera_(session|browser)=/);
        assert.match(line, /; Secure/);
        assert.match(line, /; HttpOnly/);
        assert.match(line, /; SameSite=Lax/);
        assert.match(line, /; Path=\//);
        assert.doesNotMatch(line, /Domain=/i);
      }
      assert.match(String((await browser.get('/login')).headers['strict-transport-security']), /max-age=31536000/);
    });
  });
}
