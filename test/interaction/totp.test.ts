/**
 * Two-step verification (RFC 6238): the algorithm against the RFC's test vectors, turning it on
 * from the profile, signing in with a code (amr pwd+otp, a second step that is not a session),
 * replay refused, recovery codes single-use, code guesses limited, turning it off needs the password.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createClient, createUser, PASSWORD, type TestClient } from '../support/fixtures.ts';
import { Browser, codeRequest, decideOn, findForm, isApprovalPage, type Response } from '../support/browser.ts';
import { exchangeCode } from '../support/codes.ts';
import { base32Encode, hotp, matchTotp, totpCode, totpStep } from '../../src/crypto/totp.ts';
import { decodeJwt } from 'jose';

const REDIRECT = 'https://app.example/cb';

describe('TOTP algorithm (RFC 6238 Appendix B, SHA-1, last 6 digits)', () => {
  const secret = base32Encode(Buffer.from('12345678901234567890'));
  it('matches the RFC test vectors', () => {
    assert.equal(totpCode(secret, 59), '287082');
    assert.equal(totpCode(secret, 1111111109), '081804');
    assert.equal(totpCode(secret, 1234567890), '005924');
    assert.equal(totpCode(secret, 2000000000), '279037');
    assert.equal(hotp(Buffer.from('12345678901234567890'), 0), '755224', 'RFC 4226 Appendix D');
  });
  it('accepts one step either side, not two, and never a step at or before the last used', () => {
    const now = 1_800_000_000;
    const step = totpStep(now);
    assert.equal(matchTotp(secret, totpCode(secret, now - 30), now, null), step - 1);
    assert.equal(matchTotp(secret, totpCode(secret, now + 30), now, null), step + 1);
    assert.equal(matchTotp(secret, totpCode(secret, now - 60), now, null), undefined);
    assert.equal(matchTotp(secret, totpCode(secret, now), now, step), undefined, 'replay');
    assert.equal(matchTotp(secret, totpCode(secret, now), now, step - 1), step);
    assert.equal(matchTotp(secret, 'abcdef', now, null), undefined);
  });
});

/** The key shown on the setup page. */
function shownSecret(page: Response): string {
  const secret = /class="secret">([A-Z2-7]+)</.exec(page.body)?.[1];
  assert.ok(secret, 'the setup page shows the key');
  return secret;
}

for (const dialect of dialects()) {
  describe(`two-step verification (${dialect})`, () => {
    let t: TestApp;
    let client: TestClient;

    before(async () => {
      t = await startTestApp({ dialect });
      client = await createClient(t.deps, { redirectUris: [REDIRECT] });
    });
    after(() => t.close());

    /** Signs in `email`, turns TOTP on, returns the secret and the recovery codes. */
    async function turnOn(email: string): Promise<{ browser: Browser; secret: string; codes: string[] }> {
      await createUser(t.deps, email);
      const browser = new Browser(t);
      await browser.signIn(email);
      const start = await browser.submit(await browser.get('/profile'), /^\/profile\/totp\/start$/);
      assert.equal(start.statusCode, 303);
      const setup = await browser.follow(start);
      assert.equal(setup.statusCode, 200);
      assert.match(String(setup.headers['content-security-policy']), /img-src 'self' data:;/);
      assert.match(setup.body, /<img class="qr" src="data:image\/svg\+xml;base64,/);
      assert.match(setup.body, /otpauth:\/\/totp\/Tessera/);
      assert.ok(findForm(setup.body, /^\/logout\/confirm$/), 'a Sign out control');
      const secret = shownSecret(setup);
      const wrong = await browser.submit(setup, /^\/profile\/totp\/confirm$/, { code: '000000' === totpCode(secret, t.clock.now()) ? '111111' : '000000' });
      assert.equal(wrong.statusCode, 400);
      const done = await browser.submit(setup, /^\/profile\/totp\/confirm$/, { code: totpCode(secret, t.clock.now()) });
      assert.equal(done.statusCode, 200);
      assert.equal(done.headers['cache-control'], 'no-store');
      const codes = [...done.body.matchAll(/<code>([a-z0-9]{5}-[a-z0-9]{5})<\/code>/g)].map((m) => m[1]!);
      assert.equal(codes.length, 10);
      assert.ok(findForm(done.body, /^\/logout\/confirm$/), 'a Sign out control');
      t.clock.advance(30); // the confirming code's step is used
      return { browser, secret, codes };
    }

    async function passwordStep(browser: Browser, email: string, res?: Response): Promise<Response> {
      const after = await browser.signInOn(res ?? (await browser.get('/login')), email);
      assert.equal(after.statusCode, 303);
      assert.equal(after.headers.location, '/login/code');
      assert.equal(browser.sessionCookie(), undefined, 'no session before the second factor');
      return browser.get('/login/code');
    }

    it('turning it on shows a QR code, key and URI, needs a right code, and lists it on the profile', async () => {
      const { browser } = await turnOn('tia@example.com');
      const profile = await browser.get('/profile');
      assert.match(profile.body, /10 recovery codes left/);
      assert.match(profile.body, /Two-step verification turned on/);
    });

    it('sign-in then asks for a code; the code completes an authorization with amr pwd+otp and auth_time', async () => {
      const { secret } = await turnOn('uma@example.com');
      const browser = new Browser(t);
      const { params, verifier } = codeRequest(client.clientId, REDIRECT, { scope: 'openid' });
      const login = await browser.follow(await browser.get(`/authorize?${new URLSearchParams(params)}`));
      const codePage = await passwordStep(browser, 'uma@example.com', login);
      assert.match(String(codePage.headers['content-security-policy']), /form-action 'self' https:\/\/app\.example;/, 'the code form may lead on to the client');
      const signedInFrom = t.clock.now();
      const res = await browser.submit(codePage, /^\/login\/code$/, { code: totpCode(secret, t.clock.now()) });
      // The clock follows real time: the session began while the code was checked, within these bounds.
      const signedInBy = t.clock.now();
      assert.equal(res.statusCode, 303);
      assert.match(String(res.headers.location), /^\/authorize\/resume\?interaction=/);
      assert.ok(browser.sessionCookie());
      const approval = await browser.follow(res);
      assert.ok(isApprovalPage(approval));
      const location = new URL(String((await decideOn(browser, approval, true)).headers.location));
      const code = location.searchParams.get('code');
      assert.ok(code);
      const tokens = await exchangeCode(t, client, { code, verifier }, { redirect_uri: REDIRECT });
      assert.equal(tokens.statusCode, 200);
      const idToken = decodeJwt((tokens.json() as { id_token: string }).id_token);
      assert.deepEqual(idToken.amr, ['pwd', 'otp']);
      const authTime = Number(idToken.auth_time);
      assert.ok(authTime >= signedInFrom && authTime <= signedInBy, `auth_time ${authTime} outside [${signedInFrom}, ${signedInBy}]`);
    });

    it('a used code is refused (replay), a wrong code gets 401, and five wrong codes end the pending sign-in', async () => {
      const { secret } = await turnOn('vic@example.com');
      const first = new Browser(t);
      const code = totpCode(secret, t.clock.now());
      assert.equal((await first.submit(await passwordStep(first, 'vic@example.com'), /^\/login\/code$/, { code })).statusCode, 303);

      const second = new Browser(t);
      const page = await passwordStep(second, 'vic@example.com');
      const replay = await second.submit(page, /^\/login\/code$/, { code });
      assert.equal(replay.statusCode, 401);
      assert.equal(second.sessionCookie(), undefined);
      for (let i = 0; i < 3; i++) assert.equal((await second.submit(page, /^\/login\/code$/, { code: '12345a' })).statusCode, 401);
      const last = await second.submit(page, /^\/login\/code$/, { code: '999999' === totpCode(secret, t.clock.now()) ? '888888' : '999999' });
      assert.equal(last.statusCode, 303);
      assert.equal(last.headers.location, '/login', 'the password must be given again');
      const fresh = totpCode(secret, t.clock.now() + 30);
      assert.equal((await second.submit(page, /^\/login\/code$/, { code: fresh })).statusCode, 303);
      assert.equal(second.sessionCookie(), undefined, 'the ended pending sign-in opens nothing');
    });

    it('the code form refuses a missing token and cross-site posts, and needs a pending sign-in', async () => {
      const { secret } = await turnOn('wes@example.com');
      const browser = new Browser(t);
      const page = await passwordStep(browser, 'wes@example.com');
      const code = totpCode(secret, t.clock.now());
      assert.equal((await browser.post('/login/code', { code })).statusCode, 403);
      assert.equal((await browser.submit(page, /^\/login\/code$/, { code }, { origin: 'https://evil.example' })).statusCode, 403);
      const stranger = new Browser(t);
      const res = await stranger.post('/login/code', { ...findForm(page.body, /^\/login\/code$/)!.hidden, code });
      assert.equal(res.statusCode, 303);
      assert.equal(res.headers.location, '/login');
      assert.equal(stranger.sessionCookie(), undefined);
    });

    it('a recovery code signs in once', async () => {
      const { codes } = await turnOn('xia@example.com');
      const a = new Browser(t);
      assert.equal((await a.submit(await passwordStep(a, 'xia@example.com'), /^\/login\/code$/, { code: codes[0]!.toUpperCase() })).statusCode, 303);
      assert.ok(a.sessionCookie());
      assert.match((await a.get('/profile')).body, /9 recovery codes left/);
      const b = new Browser(t);
      assert.equal((await b.submit(await passwordStep(b, 'xia@example.com'), /^\/login\/code$/, { code: codes[0]! })).statusCode, 401);
    });

    it('wrong codes when turning it off count against the account\'s second-factor limit (10, then 429 even with the right code)', async () => {
      const { browser, secret } = await turnOn('zed@example.com');
      const profile = await browser.get('/profile');
      const right = () => totpCode(secret, t.clock.now());
      const wrong = () => (right() === '000000' ? '111111' : '000000');
      for (let i = 0; i < 10; i++) assert.equal((await browser.submit(profile, /^\/profile\/totp\/disable$/, { password: PASSWORD, code: wrong() })).statusCode, 400, `wrong code ${i + 1}`);
      const refused = await browser.submit(profile, /^\/profile\/totp\/disable$/, { password: PASSWORD, code: right() });
      assert.equal(refused.statusCode, 429);
      assert.match(String(refused.headers['retry-after']), /^[1-9]\d*$/);
      assert.match((await browser.get('/profile')).body, /recovery codes left/, 'still on');
    });

    it('turning it off needs the password and a current code (issue 13: never the password alone); then sign-in asks for none', async () => {
      const { browser, secret } = await turnOn('yan@example.com');
      const profile = await browser.get('/profile');
      const code = totpCode(secret, t.clock.now());
      const wrong = await browser.submit(profile, /^\/profile\/totp\/disable$/, { password: 'not it', code });
      assert.equal(wrong.statusCode, 400);
      const passwordOnly = await browser.submit(profile, /^\/profile\/totp\/disable$/, { password: PASSWORD, code: '' });
      assert.equal(passwordOnly.statusCode, 400, 'the password alone does not turn it off');
      const wrongCode = await browser.submit(profile, /^\/profile\/totp\/disable$/, { password: PASSWORD, code: code === '000000' ? '111111' : '000000' });
      assert.equal(wrongCode.statusCode, 400);
      assert.match((await browser.get('/profile')).body, /recovery codes left/, 'still on');
      assert.equal((await browser.post('/profile/totp/disable', { password: PASSWORD, code })).statusCode, 403);
      const off = await browser.submit(profile, /^\/profile\/totp\/disable$/, { password: PASSWORD, code });
      assert.equal(off.statusCode, 303);
      const after = await browser.get('/profile');
      assert.match(after.body, /Two-step verification turned off/);
      assert.equal((await new Browser(t).signIn('yan@example.com')).headers.location, '/');
    });
  });
}
