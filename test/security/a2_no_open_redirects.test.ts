/**
 * SECURITY 2 — no open redirectors (RFC 9700 §4.11; RFC 6749 §10.15): sign-in, sign-out, home
 * and the resume step take no URL from the request. Every parameter name that commonly carries a
 * "continue to" URL, with each classic bypass, is sent to each of them — before and after a
 * successful sign-in — and no Location header may leave the origin or carry an injected header.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createUser, PASSWORD } from '../support/fixtures.ts';
import { Browser, findForm, type Response } from '../support/browser.ts';

const NAMES = ['next', 'return_to', 'returnTo', 'redirect', 'redirect_uri', 'continue', 'url', 'target', 'post_logout_redirect_uri', 'interaction'];
const BAITS = [
  'https://evil.example',
  '//evil.example',
  '/\\evil.example',
  'https:evil.example',
  '%2F%2Fevil.example',
  'javascript:alert(1)',
  '%0d%0aSet-Cookie:x=1',
  '/%0d%0aLocation:https://evil.example',
];

function assertStaysHome(res: Response, label: string): void {
  assert.notEqual(res.statusCode, 500, label);
  const location = res.headers.location;
  if (location !== undefined) {
    assert.match(String(location), /^\/(?![/\\])[^\r\n]*$/, `${label}: Location ${location}`);
    assert.doesNotMatch(String(location), /evil|javascript/i, `${label}: Location ${location}`);
  }
  for (const [name, value] of Object.entries(res.headers)) assert.doesNotMatch(String(value), /[\r\n]/, `${label}: ${name}`);
  const cookies = res.headers['set-cookie'];
  for (const line of cookies === undefined ? [] : Array.isArray(cookies) ? cookies : [cookies]) assert.doesNotMatch(line, /^x=/, `${label}: an injected cookie`);
}

for (const dialect of dialects()) {
  describe(`SECURITY 2: no open redirectors (${dialect})`, () => {
    let t: TestApp;

    before(async () => {
      t = await startTestApp({ dialect });
      await createUser(t.deps, 'alice@example.com', 'Alice');
    });
    after(() => t.close());

    it('GET of the sign-in, sign-out, home and resume pages, signed out and signed in', async () => {
      const signedOut = new Browser(t);
      const signedIn = new Browser(t);
      await signedIn.signIn('alice@example.com');
      for (const browser of [signedOut, signedIn]) {
        for (const path of ['/login', '/logout', '/', '/authorize/resume']) {
          for (const name of NAMES) {
            for (const bait of BAITS) {
              const res = await browser.get(`${path}?${name}=${bait.includes('%') ? bait : encodeURIComponent(bait)}`);
              assertStaysHome(res, `GET ${path}?${name}=${bait}`);
            }
          }
        }
      }
    });

    it('a successful sign-in with every bait in the form goes home, not to the bait', async () => {
      for (const name of NAMES.filter((n) => n !== 'interaction')) {
        for (const bait of BAITS) {
          const browser = new Browser(t);
          const page = await browser.get('/login');
          const form = findForm(page.body, /^\/login$/)!;
          const res = await browser.post(`/login?${name}=${encodeURIComponent(bait)}`, { ...form.hidden, email: 'alice@example.com', password: PASSWORD, [name]: bait });
          assert.equal(res.statusCode, 303, `${name}=${bait}: ${res.statusCode}`);
          assert.equal(res.headers.location, '/', `${name}=${bait}`);
          assertStaysHome(res, `POST /login ${name}=${bait}`);
        }
      }
    });

    it('sign-out with every bait goes to the signed-out page', async () => {
      for (const bait of BAITS) {
        const browser = new Browser(t);
        await browser.signIn('alice@example.com');
        const home = await browser.get('/');
        const form = findForm(home.body, /^\/logout\/confirm$/)!;
        const extra = Object.fromEntries(NAMES.filter((n) => n !== 'interaction').map((n) => [n, bait]));
        const res = await browser.post(`/logout/confirm?post_logout_redirect_uri=${encodeURIComponent(bait)}`, { ...form.hidden, ...extra });
        assert.equal(res.statusCode, 303, bait);
        assert.equal(res.headers.location, '/logout', bait);
        assertStaysHome(res, `POST /logout ${bait}`);
      }
    });
  });
}
