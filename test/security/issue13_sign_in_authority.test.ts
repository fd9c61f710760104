/**
 * Issue 13, regression tests for the attack findings, black-box over real HTTP:
 *
 * - Defect 1: with TOTP on, the password alone never yields a session — not at /login, not at the
 *   old portal sign-in form (/developers/sign-in), not for /profile or /authorize — and TOTP cannot
 *   be turned off with the password alone. The code step gives amr ["pwd","otp"] and its audit event.
 * - Defect 3: wrong second-factor codes are limited per account (FACTOR_FAILURE_LIMIT per
 *   FACTOR_WINDOW_SECONDS) across pending sign-ins and across nodes sharing one database; once
 *   reached, even the right code is refused until the window passes.
 * - Defect 5: a sign-out form POST without a session does not send the browser anywhere, and an
 *   RP-initiated logout request without a session or ID token hint does not redirect.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJwt } from 'jose';
import { databaseOf, dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createClient, createUser, PASSWORD, type TestClient } from '../support/fixtures.ts';
import { Browser, codeRequest, decideOn, findForm, isApprovalPage, isSignInPage, type Response } from '../support/browser.ts';
import { exchangeCode } from '../support/codes.ts';
import { totpCode } from '../../src/crypto/totp.ts';
import { FACTOR_FAILURE_LIMIT, FACTOR_WINDOW_SECONDS } from '../../src/services/accounts/accounts.ts';

const REDIRECT = 'https://app.example/cb';
const SIGNED_OUT = 'https://app.example/signed-out';
/** Only the per-account second-factor limit in the database may stop the guesses of defect 3. */
const ENV = { THROTTLE_LOGIN_PER_IP: '100000/300', THROTTLE_LOGIN: '100000/600', THROTTLE_LOGIN_PER_ACCOUNT: '100000/900' };

/** A code that is not the current one (nor the one either side). */
function wrongCode(secret: string, now: number): string {
  const near = new Set([totpCode(secret, now - 30), totpCode(secret, now), totpCode(secret, now + 30)]);
  for (const candidate of ['000000', '111111', '222222', '333333']) if (!near.has(candidate)) return candidate;
  throw new Error('unreachable');
}

/** Signs `email` in (no second factor yet) and turns TOTP on from the profile; returns the key. */
async function turnOn(t: TestApp, email: string): Promise<{ browser: Browser; secret: string }> {
  await createUser(t.deps, email);
  const browser = new Browser(t);
  assert.equal((await browser.signIn(email)).statusCode, 303);
  const setup = await browser.follow(await browser.submit(await browser.get('/profile'), /^\/profile\/totp\/start$/));
  const secret = /class="secret">([A-Z2-7]+)</.exec(setup.body)?.[1];
  assert.ok(secret, 'the setup page shows the key');
  const done = await browser.submit(setup, /^\/profile\/totp\/confirm$/, { code: totpCode(secret, t.clock.now()) });
  assert.equal(done.statusCode, 200, done.body.slice(0, 500));
  t.clock.advance(30); // the confirming code's step is used
  return { browser, secret };
}

/** The password step: 303 to /login/code and no session; returns the code page. */
async function passwordStep(browser: Browser, email: string, page?: Response): Promise<Response> {
  const res = await browser.signInOn(page ?? (await browser.get('/login')), email);
  assert.equal(res.statusCode, 303, res.body.slice(0, 500));
  assert.equal(res.headers.location, '/login/code');
  assert.equal(browser.sessionCookie(), undefined, 'no session before the second factor');
  const codePage = await browser.get('/login/code');
  assert.equal(codePage.statusCode, 200);
  return codePage;
}

function setsSessionCookie(res: Response): boolean {
  const header = res.headers['set-cookie'];
  const lines = header === undefined ? [] : [header].flat();
  return lines.some((line) => /^(__Host-)?tessera_session=[^;]+/.test(line) && !/max-age=0/i.test(line));
}

for (const dialect of dialects()) {
  describe(`issue 13 defect 1: the password alone is never a sign-in when TOTP is on (${dialect})`, () => {
    let t: TestApp;
    let client: TestClient;
    before(async () => {
      t = await startTestApp({ dialect, env: ENV });
      client = await createClient(t.deps, { redirectUris: [REDIRECT] });
    });
    after(() => t?.close());

    it('POST /login answers 303 to /login/code and sets no session cookie', async () => {
      await turnOn(t, 'd1-login@example.com');
      const browser = new Browser(t);
      const res = await browser.signIn('d1-login@example.com');
      assert.equal(res.statusCode, 303);
      assert.equal(res.headers.location, '/login/code');
      assert.equal(setsSessionCookie(res), false, String(res.headers['set-cookie']));
      assert.equal(browser.sessionCookie(), undefined);
    });

    it('the old portal sign-in form gives no session, with or without a token, and nothing else opens', async () => {
      const email = 'd1-portal@example.com';
      await turnOn(t, email);
      const browser = new Browser(t);
      const loginToken = findForm((await browser.get('/login')).body, /^\/login$/)?.hidden.token ?? '';
      const attempts: Record<string, string>[] = [
        { email, password: PASSWORD },
        { email, password: PASSWORD, token: loginToken },
        { email, password: PASSWORD, token: 'forged', csrf: 'forged' },
      ];
      for (const form of attempts) {
        const res = await browser.post('/developers/sign-in', form, { origin: t.issuer });
        const label = `POST /developers/sign-in ${Object.keys(form).join('+')}: ${res.statusCode} ${String(res.headers.location)}`;
        assert.equal(setsSessionCookie(res), false, label);
        assert.equal(browser.sessionCookie(), undefined, label);
        assert.ok(!(res.statusCode === 303 && String(res.headers.location).startsWith('/developers')), label);
      }
      const profile = await browser.get('/profile');
      assert.equal(profile.statusCode, 302);
      assert.match(String(profile.headers.location), /^\/login/);
      const portal = await browser.get('/developers/apps');
      assert.ok(portal.statusCode === 302 && String(portal.headers.location).startsWith('/login'), `portal: ${portal.statusCode} ${String(portal.headers.location)}`);
      const { params } = codeRequest(client.clientId, REDIRECT);
      const authorize = await browser.follow(await browser.get(`/authorize?${new URLSearchParams(params)}`));
      assert.ok(isSignInPage(authorize), `authorize without a session: ${authorize.statusCode} ${String(authorize.headers.location)}`);
      assert.ok(!isApprovalPage(authorize));
    });

    it('a half-finished sign-in (password given, no code) opens neither /profile nor /authorize', async () => {
      const email = 'd1-half@example.com';
      await turnOn(t, email);
      const browser = new Browser(t);
      await passwordStep(browser, email);
      const profile = await browser.get('/profile');
      assert.equal(profile.statusCode, 302);
      assert.match(String(profile.headers.location), /^\/login/);
      const { params } = codeRequest(client.clientId, REDIRECT);
      const res = await browser.follow(await browser.get(`/authorize?${new URLSearchParams(params)}`));
      assert.ok(!isApprovalPage(res), 'no approval page');
      assert.doesNotMatch(String(res.headers.location ?? ''), /[?&]code=/, 'no code');
    });

    it('the code step gives a session with amr ["pwd","otp"] in the ID token and a user.signed_in event', async () => {
      const email = 'd1-code@example.com';
      const { secret } = await turnOn(t, email);
      const user = (await t.deps.stores.users.findByEmail(email))!;
      const browser = new Browser(t);
      const { params, verifier } = codeRequest(client.clientId, REDIRECT);
      const login = await browser.follow(await browser.get(`/authorize?${new URLSearchParams(params)}`));
      const codePage = await passwordStep(browser, email, login);
      const res = await browser.submit(codePage, /^\/login\/code$/, { code: totpCode(secret, t.clock.now()) });
      assert.equal(res.statusCode, 303);
      assert.ok(setsSessionCookie(res), 'the session starts with the code');
      const approval = await browser.follow(res);
      assert.ok(isApprovalPage(approval), approval.body.slice(0, 500));
      const location = new URL(String((await decideOn(browser, approval, true)).headers.location));
      const code = location.searchParams.get('code');
      assert.ok(code);
      const tokens = await exchangeCode(t, client, { code, verifier }, { redirect_uri: REDIRECT });
      assert.equal(tokens.statusCode, 200, tokens.body);
      assert.deepEqual(decodeJwt((tokens.json() as { id_token: string }).id_token).amr, ['pwd', 'otp']);
      const events = await t.deps.stores.audit.listForUser(user.id, ['user.signed_in'], 10);
      assert.ok(
        events.some((e) => JSON.stringify(e.detail.amr) === JSON.stringify(['pwd', 'otp'])),
        `a user.signed_in event with amr pwd+otp: ${JSON.stringify(events)}`,
      );
    });

    it('TOTP cannot be turned off with the password alone (400, still on)', async () => {
      const email = 'd1-off@example.com';
      const { browser } = await turnOn(t, email);
      const profile = await browser.get('/profile');
      for (const fields of [{ password: PASSWORD }, { password: PASSWORD, code: '' }] as Record<string, string>[]) {
        const res = await browser.submit(profile, /^\/profile\/totp\/disable$/, fields);
        assert.equal(res.statusCode, 400, `${JSON.stringify(Object.keys(fields))}: ${res.statusCode}`);
      }
      assert.match((await browser.get('/profile')).body, /recovery codes left/, 'still on');
      assert.equal((await new Browser(t).signIn(email)).headers.location, '/login/code', 'sign-in still asks for a code');
    });
  });

  describe(`issue 13 defect 3: wrong second-factor codes are limited per account, on every node (${dialect})`, () => {
    let a: TestApp;
    let b: TestApp;
    before(async () => {
      a = await startTestApp({ dialect, env: ENV });
      b = await startTestApp({ database: databaseOf(a), env: ENV });
    });
    after(async () => {
      await b?.close();
      await a?.close();
    });

    /** Moves both nodes' clocks (each has its own) by the same amount. */
    function advance(seconds: number) {
      a.clock.advance(seconds);
      b.clock.advance(seconds);
    }

    it('four rounds of password + 5 wrong codes, spread over two nodes: at most 10 wrong codes, then 429 even for the right code', async () => {
      const email = 'd3@example.com';
      const { secret } = await turnOn(a, email);
      b.clock.advance(30); // as turnOn moved a's
      const log: string[] = [];
      let allowed = 0;
      let firstRefusal: Response | undefined;
      let wrongSent = 0;
      for (let round = 0; round < 4 && firstRefusal === undefined; round++) {
        const node = round % 2 === 0 ? a : b;
        const browser = new Browser(node);
        const page = await passwordStep(browser, email);
        for (let i = 0; i < 5; i++) {
          // Each wrong code of a round goes to either node: the pending sign-in is in the shared database.
          const target = new Browser(i % 2 === 0 ? a : b);
          for (const cookie of browser.cookies.values()) target.cookies.set(cookie.name, cookie);
          const res = await target.submit(page, /^\/login\/code$/, { code: wrongCode(secret, a.clock.now()) });
          wrongSent++;
          log.push(`round ${round + 1} code ${i + 1} on ${i % 2 === 0 ? 'A' : 'B'}: ${res.statusCode} ${String(res.headers.location ?? '')}`);
          assert.equal(setsSessionCookie(res), false, log.join('\n'));
          if (res.statusCode === 429) {
            firstRefusal = res;
            break;
          }
          assert.ok(res.statusCode === 401 || (res.statusCode === 303 && res.headers.location === '/login'), log.join('\n'));
          allowed++;
        }
      }
      assert.ok(firstRefusal, `no 429 after ${wrongSent} wrong codes:\n${log.join('\n')}`);
      assert.ok(wrongSent <= FACTOR_FAILURE_LIMIT + 1, `the 429 came only at wrong code ${wrongSent}:\n${log.join('\n')}`);
      assert.ok(allowed <= FACTOR_FAILURE_LIMIT, `${allowed} wrong codes were checked:\n${log.join('\n')}`);
      const retryAfter = Number(firstRefusal.headers['retry-after']);
      assert.ok(retryAfter > 0 && retryAfter <= FACTOR_WINDOW_SECONDS, `Retry-After ${String(firstRefusal.headers['retry-after'])}`);

      // The right code is refused too, on both nodes, after a fresh password.
      for (const node of [a, b]) {
        const browser = new Browser(node);
        const page = await passwordStep(browser, email);
        const res = await browser.submit(page, /^\/login\/code$/, { code: totpCode(secret, node.clock.now()) });
        assert.equal(res.statusCode, 429, `the right code on node ${node === a ? 'A' : 'B'}: ${res.statusCode}\n${log.join('\n')}`);
        assert.ok(res.headers['retry-after']);
        assert.equal(browser.sessionCookie(), undefined);
      }

      advance(FACTOR_WINDOW_SECONDS + 1);
      const browser = new Browser(b);
      const page = await passwordStep(browser, email);
      const res = await browser.submit(page, /^\/login\/code$/, { code: totpCode(secret, b.clock.now()) });
      assert.equal(res.statusCode, 303, `the right code after the window: ${res.statusCode}`);
      assert.ok(browser.sessionCookie(), 'signed in once the window passed');
    });
  });

  describe(`issue 13 defect 5: no redirect from a sign-out without a session (${dialect})`, () => {
    let t: TestApp;
    let rp: TestClient;
    before(async () => {
      t = await startTestApp({ dialect, env: ENV });
      rp = await createClient(t.deps, { name: 'Logout RP', redirectUris: [REDIRECT], postLogoutRedirectUris: [SIGNED_OUT] });
    });
    after(() => t?.close());

    it('POST /logout/confirm without a session, with a forged token and a registered return: 403, no Location', async () => {
      const browser = new Browser(t);
      for (const form of [
        { token: 'forged', client_id: rp.clientId, post_logout_redirect_uri: SIGNED_OUT },
        { token: 'forged', client_id: rp.clientId, post_logout_redirect_uri: SIGNED_OUT, state: 's' },
        { client_id: rp.clientId, post_logout_redirect_uri: SIGNED_OUT },
      ] as Record<string, string>[]) {
        const res = await browser.post('/logout/confirm', form);
        assert.equal(res.statusCode, 403, `${JSON.stringify(form)}: ${res.statusCode} ${String(res.headers.location)}`);
        assert.equal(res.headers.location, undefined);
      }
    });

    it('POST /logout without a session or ID token hint, with a registered return: no redirect to it', async () => {
      const browser = new Browser(t);
      for (const form of [{ post_logout_redirect_uri: SIGNED_OUT }, { post_logout_redirect_uri: SIGNED_OUT, client_id: rp.clientId, state: 's' }] as Record<string, string>[]) {
        const res = await browser.post('/logout', form);
        const label = `${JSON.stringify(form)}: ${res.statusCode} ${String(res.headers.location)}`;
        assert.ok(res.statusCode === 200 || res.statusCode === 400, label);
        assert.ok(!String(res.headers.location ?? '').startsWith(SIGNED_OUT), label);
        assert.equal(res.headers.location, undefined, label);
      }
    });
  });
}
