/**
 * Work accounts through a real company directory (issue 3; SECURITY 48): node-oidc-provider on a
 * loopback port plays the directory. Email first routes a directory email there, the person signs
 * in at the directory's own pages, comes back, gets a session and the pending authorization goes
 * on to a code the client redeems. A second sign-in finds the same account, by (issuer, subject);
 * a personal account with the same email stays separate and keeps its password. Other emails get
 * the password step; one POST with email and password still signs in as before.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJwt } from 'jose';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createClient, createUser, PASSWORD, type TestClient } from '../support/fixtures.ts';
import { Browser, authorizeUrl, codeRequest, decideOn, findForm, isApprovalPage, isSignInPage, redirectLocation, type Response } from '../support/browser.ts';
import { exchangeCode } from '../support/codes.ts';
import { addDirectory, startCompanyDirectory, type CompanyDirectory } from './company_directory.ts';
import { CALLBACK_PATH } from '../../src/interaction/directory/paths.ts';
import { UPSTREAM_FAILED } from '../../src/interaction/directory/pages.tsx';

const REDIRECT = 'https://app.example/cb';

/** The page that hands over to the directory moves on by itself (Refresh); returns that address. */
export function handOver(res: Response): string {
  assert.equal(res.statusCode, 200, res.body.slice(0, 500));
  const refresh = res.headers.refresh;
  assert.equal(typeof refresh, 'string', 'the hand-over page moves on by itself');
  const next = /^0; url=(.+)$/.exec(refresh as string)?.[1];
  assert.ok(next?.startsWith('/login/directory/start?'), String(refresh));
  return next!;
}

/**
 * From a sign-in page to the directory's callback: email only, hand-over, start (303 to the
 * directory), the person at the directory. Returns the callback URL the directory sent back.
 */
export async function throughDirectory(browser: Browser, signInPage: Response, directory: CompanyDirectory, email: string, login: string): Promise<string> {
  const handOverPage = await browser.submit(signInPage, /^\/login$/, { email });
  const start = await browser.get(handOver(handOverPage));
  assert.equal(start.statusCode, 303, start.body.slice(0, 500));
  const location = start.headers.location as string;
  assert.ok(location.startsWith(directory.issuer + '/'), location);
  const callback = await directory.signIn(location, login);
  assert.ok(callback.startsWith(browser.t.issuer + CALLBACK_PATH + '?'), callback);
  return callback;
}

for (const dialect of dialects()) {
  describe(`work accounts through a company directory (${dialect})`, () => {
    let t: TestApp;
    let client: TestClient;
    let corp: CompanyDirectory;

    before(async () => {
      t = await startTestApp({ dialect });
      client = await createClient(t.deps, { redirectUris: [REDIRECT] });
      corp = await startCompanyDirectory(t.issuer + CALLBACK_PATH);
      await addDirectory(t, 'Corp', corp.issuer, ['corp.example']);
    });
    after(async () => {
      await corp?.close();
      await t?.close();
    });

    async function authorizeThroughDirectory(browser: Browser, login: string) {
      const { params, verifier } = codeRequest(client.clientId, REDIRECT, { scope: 'openid email' });
      const signIn = await browser.follow(await browser.get(authorizeUrl(params)));
      assert.ok(isSignInPage(signIn));
      const callback = await throughDirectory(browser, signIn, corp, `${login}@corp.example`, login);
      const back = await browser.get(callback);
      assert.equal(back.statusCode, 303, back.body.slice(0, 500));
      assert.ok(browser.sessionCookie(), 'a session after the directory vouched');
      const next = await browser.follow(back);
      // The first time asks for approval; afterwards the grant covers the request.
      const done = isApprovalPage(next) ? redirectLocation(await decideOn(browser, next, true)) : redirectLocation(next);
      assert.ok(done, next.body.slice(0, 500));
      const url = new URL(done!);
      assert.equal(url.origin + url.pathname, REDIRECT);
      assert.equal(url.searchParams.get('state'), params.state);
      const tokens = await exchangeCode(t, client, { code: url.searchParams.get('code')!, verifier }, { redirect_uri: REDIRECT });
      assert.equal(tokens.statusCode, 200, tokens.body);
      return decodeJwt((tokens.json() as { id_token: string }).id_token);
    }

    it('email first sends a directory email there; the authorization goes on to a code; a second sign-in finds the same account', async () => {
      const first = await authorizeThroughDirectory(new Browser(t), 'wren');
      const user = await t.deps.stores.users.findById(first.sub!);
      assert.equal(user?.kind, 'work');
      assert.equal(user?.email, 'wren@corp.example');
      assert.equal(user?.passwordHash, null);
      assert.equal((await t.deps.stores.directories.find(user!.directoryId!))?.name, 'Corp');
      assert.deepEqual(first.amr, ['fed']);

      // The profile says which kind of account it is, and offers no password or two-step settings.
      const browser = new Browser(t);
      await authorizeThroughDirectory(browser, 'wren');
      const profile = await browser.get('/profile');
      assert.match(profile.body, /Work account, from Corp/);
      assert.doesNotMatch(profile.body, /Change password|Two-step verification/);

      const second = await authorizeThroughDirectory(new Browser(t), 'wren');
      assert.equal(second.sub, first.sub, 'the same (issuer, subject) is the same account');
      assert.equal(await t.deps.stores.users.findByEmail('wren@corp.example'), undefined, 'a work account is never found by email');
      const events = await t.deps.stores.audit.listForUser(first.sub!, ['user.signed_in', 'user.created'], 10);
      assert.equal(events.filter((e) => e.type === 'user.signed_in').length, 3);
      assert.equal(events.filter((e) => e.type === 'user.created').length, 1);
    });

    it('a personal account with the same email stays separate and keeps signing in with its password', async () => {
      const personal = await createUser(t.deps, 'alice@corp.example', 'Alice Personal');
      const browser = new Browser(t);
      const callback = await throughDirectory(browser, await browser.get('/login'), corp, 'alice@corp.example', 'alice');
      await browser.follow(await browser.get(callback));
      const session = await t.deps.stores.sessions.findLive((await import('../../src/crypto/digest.ts')).digest(browser.sessionCookie()!.value), t.clock.now());
      assert.ok(session);
      assert.notEqual(session.userId, personal.id, 'never the personal account with that email');
      const work = await t.deps.stores.users.findById(session.userId);
      assert.equal(work?.kind, 'work');
      assert.equal(work?.email, 'alice@corp.example');
      assert.equal((await t.deps.stores.users.findByEmail('alice@corp.example'))?.id, personal.id);

      // "Use a Tessera password instead": the password step for that email, then a personal session.
      const other = new Browser(t);
      const handOverPage = await other.submit(await other.get('/login'), /^\/login$/, { email: 'alice@corp.example' });
      const passwordLink = /href="(\/login\?method=password[^"]*)"/.exec(handOverPage.body)?.[1]?.replace(/&amp;/g, '&');
      assert.ok(passwordLink, 'the hand-over page offers the password');
      const step = await other.get(passwordLink);
      assert.equal(findForm(step.body, /^\/login$/)?.hidden.method, 'password');
      const signedIn = await other.submit(step, /^\/login$/, { email: 'alice@corp.example', password: PASSWORD });
      assert.equal(signedIn.statusCode, 303);
      const personalSession = await t.deps.stores.sessions.findLive((await import('../../src/crypto/digest.ts')).digest(other.sessionCookie()!.value), t.clock.now());
      assert.equal(personalSession?.userId, personal.id);
    });

    it('another email without a password gets the password step, keeping the email; one POST with both still signs in', async () => {
      await createUser(t.deps, 'pia@example.com');
      const browser = new Browser(t);
      const step = await browser.submit(await browser.get('/login'), /^\/login$/, { email: 'pia@example.com' });
      assert.equal(step.statusCode, 200);
      assert.match(step.body, /Enter your password to continue/);
      assert.match(step.body, /value="pia@example.com"/);
      assert.match(step.body, /name="password"[^>]*required/);
      assert.equal(browser.sessionCookie(), undefined);
      const done = await browser.submit(step, /^\/login$/, { email: 'pia@example.com', password: PASSWORD });
      assert.equal(done.statusCode, 303);
      assert.ok(browser.sessionCookie());

      const once = new Browser(t);
      assert.equal((await once.signIn('pia@example.com')).statusCode, 303, 'email and password in one POST, as before');
      assert.ok(once.sessionCookie());
    });

    it('"Sign in with your work account" takes an email or a pick, and says when no directory serves the email', async () => {
      const browser = new Browser(t);
      const login = await browser.get('/login');
      assert.match(login.body, /href="\/login\/directory"/);
      const page = await browser.get('/login/directory');
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /<a href="\/login\/directory\/start\?directory=[^"]+">Corp<\/a>/);
      const unknown = await browser.submit(page, /^\/login\/directory$/, { email: 'someone@elsewhere.example' });
      assert.equal(unknown.statusCode, 400);
      assert.match(unknown.body, /No company directory signs in that email address/);
      const known = await browser.submit(page, /^\/login\/directory$/, { email: 'wren@CORP.example' });
      handOver(known);
      assert.equal((await browser.post('/login/directory', { email: 'wren@corp.example', token: 'forged' })).statusCode, 403);
    });

    it('the outbound request carries state, nonce and an S256 code challenge; the transaction cookie is HttpOnly and SameSite=Lax', async () => {
      const browser = new Browser(t);
      const start = await browser.get(handOver(await browser.submit(await browser.get('/login'), /^\/login$/, { email: 'wren@corp.example' })));
      const url = new URL(start.headers.location as string);
      assert.equal(url.searchParams.get('code_challenge_method'), 'S256');
      assert.match(url.searchParams.get('code_challenge') ?? '', /^[A-Za-z0-9_-]{43}$/);
      assert.match(url.searchParams.get('state') ?? '', /^[A-Za-z0-9_-]{43}$/);
      assert.match(url.searchParams.get('nonce') ?? '', /^[A-Za-z0-9_-]{43}$/);
      assert.equal(url.searchParams.get('redirect_uri'), t.issuer + CALLBACK_PATH);
      const cookie = browser.setCookieLines.find((l) => l.startsWith('tessera_directory='));
      assert.ok(cookie);
      assert.match(cookie, /HttpOnly/i);
      assert.match(cookie, /SameSite=Lax/i);
      assert.match(cookie, /Path=\//i);
      assert.match(cookie, /tessera_directory=[A-Za-z0-9_-]{43};/);
    });

    it('a failure at the directory (the person refuses) ends on the error page with no session', async () => {
      const browser = new Browser(t);
      const start = await browser.get(handOver(await browser.submit(await browser.get('/login'), /^\/login$/, { email: 'wren@corp.example' })));
      const state = new URL(start.headers.location as string).searchParams.get('state')!;
      const res = await browser.get(`${CALLBACK_PATH}?${new URLSearchParams({ error: 'access_denied', state, iss: corp.issuer })}`);
      assert.equal(res.statusCode, 400);
      assert.ok(res.body.includes(UPSTREAM_FAILED.replace(/'/g, '&#39;')) || res.body.includes('could not sign you in'));
      assert.equal(browser.sessionCookie(), undefined);
    });
  });
}
