/**
 * OIDC Core §3.1.2.1 `max_age` and `prompt=login`, and an exact `auth_time` (§2), checked by
 * openid-client (a certified relying-party library, which enforces `max_age` against the ID
 * token's `auth_time` itself) over real HTTP, on each dialect:
 * - `auth_time` is the second the session's person signed in, as the session store holds it, in
 *   the ID token of the code exchange and of every refresh;
 * - `max_age=0` always asks for a new sign-in, even in the second of the last one (errata set 2:
 *   "max_age=0 is equivalent to prompt=login"); a larger one only once it has passed;
 * - `prompt=login` always asks, and the new sign-in's time is the new `auth_time`.
 * Clock: when the server's clock moves, openid-client's `clockSkew` moves along (as in
 * test/conformance/basic_op.test.ts).
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createClient, createUser, type TestClient } from '../support/fixtures.ts';
import { authorize, Browser, isSignInPage, redirectLocation } from '../support/browser.ts';
import { startFlow, type Flow } from '../support/openid_client.ts';
import { digest } from '../../src/crypto/digest.ts';

const REDIRECT = 'https://rp.example/callback';
const EMAIL = 'max@example.com';

for (const dialect of dialects()) {
  describe(`max_age, prompt=login and auth_time through openid-client (${dialect})`, () => {
    let t: TestApp;
    let rp: TestClient;
    let skew = 0;

    before(async () => {
      t = await startTestApp({ dialect, listen: true });
      await createUser(t.deps, EMAIL, 'Max');
      rp = await createClient(t.deps, { name: 'Max Age RP', redirectUris: [REDIRECT] });
    });
    after(() => t.close());

    function advance(seconds: number): void {
      t.clock.advance(seconds);
      skew += seconds;
    }

    function client(): Promise<oidc.Configuration> {
      return oidc.discovery(new URL(t.issuer), rp.clientId, { client_secret: rp.clientSecret, [oidc.clockSkew]: skew }, undefined, { execute: [oidc.allowInsecureRequests] });
    }

    /** The sign-in time of the browser's session, as the session store holds it. */
    async function sessionAuthTime(browser: Browser): Promise<number> {
      const session = await t.deps.stores.sessions.findLive(digest(browser.sessionCookie()!.value), t.clock.now());
      assert.ok(session);
      return session.authTime;
    }

    function finish(config: oidc.Configuration, flow: Flow, callback: URL, maxAge?: number) {
      return oidc.authorizationCodeGrant(config, callback, {
        pkceCodeVerifier: flow.verifier,
        expectedState: flow.state,
        expectedNonce: flow.nonce,
        idTokenExpected: true,
        ...(maxAge === undefined ? {} : { maxAge }),
      });
    }

    /** Opens the request in `browser`; `signIn`: the page must ask for a sign-in, which is given. */
    async function run(browser: Browser, flow: Flow, signIn: boolean): Promise<URL> {
      const page = await browser.follow(await browser.get(flow.url.pathname + flow.url.search));
      assert.equal(isSignInPage(page), signIn, signIn ? 'a new sign-in is asked for' : 'no page: the sign-in is recent enough');
      const end = signIn ? await browser.follow(await browser.signInOn(page, EMAIL)) : page;
      const location = redirectLocation(end);
      assert.ok(location, `a redirect to the client, got ${end.statusCode}`);
      return new URL(location);
    }

    /** A browser signed in through a first authorization (approved, so later ones need no page). */
    async function firstSignIn() {
      const browser = new Browser(t);
      const config = await client();
      const flow = await startFlow(config, REDIRECT, { scope: 'openid offline_access' });
      const callback = await authorize(t, Object.fromEntries(flow.url.searchParams), { browser, email: EMAIL, approve: true });
      const tokens = await finish(config, flow, callback);
      return { browser, config, tokens, authTime: tokens.claims()!.auth_time! };
    }

    it('auth_time is the session’s sign-in, exactly, from the code and from every refresh', async () => {
      const { browser, config, tokens, authTime } = await firstSignIn();
      assert.equal(authTime, await sessionAuthTime(browser));
      advance(7);
      const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
      assert.equal(refreshed.claims()?.auth_time, authTime, 'a refresh is no new sign-in');
    });

    it('max_age=0 asks for a new sign-in even in the same second; the new auth_time is the new sign-in', async () => {
      const { browser, authTime } = await firstSignIn();
      const config = await client();
      // No clock move: the previous sign-in is 0 seconds old, and still not enough.
      const flow = await startFlow(config, REDIRECT, { max_age: '0' });
      const callback = await run(browser, flow, true);
      const claims = (await finish(config, flow, callback, 0)).claims()!;
      assert.equal(claims.auth_time, await sessionAuthTime(browser));
      assert.ok(claims.auth_time! >= authTime);
    });

    it('max_age reuses a sign-in younger than it, and asks again once it is older', async () => {
      const { browser, authTime } = await firstSignIn();
      advance(30);
      let config = await client();
      const within = await startFlow(config, REDIRECT, { max_age: '60' });
      const kept = (await finish(config, within, await run(browser, within, false), 60)).claims()!;
      assert.equal(kept.auth_time, authTime, 'the sign-in 30 s ago, not the time of this request');

      advance(31);
      config = await client();
      const past = await startFlow(config, REDIRECT, { max_age: '60' });
      const fresh = (await finish(config, past, await run(browser, past, true), 60)).claims()!;
      assert.equal(fresh.auth_time, await sessionAuthTime(browser));
      assert.ok(fresh.auth_time! >= authTime + 61);
    });

    it('prompt=login always asks; the old session ends and auth_time moves to the new sign-in', async () => {
      const { browser, authTime } = await firstSignIn();
      const oldSession = digest(browser.sessionCookie()!.value);
      advance(5);
      const config = await client();
      const flow = await startFlow(config, REDIRECT, { prompt: 'login' });
      const claims = (await finish(config, flow, await run(browser, flow, true))).claims()!;
      const now = await sessionAuthTime(browser);
      assert.equal(claims.auth_time, now);
      assert.ok(now >= authTime + 5);
      assert.equal(await t.deps.stores.sessions.findLive(oldSession, t.clock.now()), undefined, 'the sign-in replaced the session');
    });
  });
}
