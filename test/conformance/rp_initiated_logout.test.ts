/**
 * OpenID Connect RP-Initiated Logout 1.0 (SECURITY 38), driven by openid-client v6 over real HTTP:
 * discovery gives the end_session_endpoint, `buildEndSessionUrl` builds the request, and the
 * cookie-jar browser plays the person. Tests that match an OIDF check of the
 * oidcc-rp-initiated-logout plan carry its name.
 *
 * Never a redirect to an address not registered for the client (SECURITY 2), never a session
 * ended without the person's POST of our form (SECURITY 28, 38).
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createClient, createUser, type TestClient } from '../support/fixtures.ts';
import { authorize, authorizeUrl, Browser, codeRequest, findForm, isSignInPage, redirectLocation, type Response } from '../support/browser.ts';
import { startFlow } from '../support/openid_client.ts';
import { digest } from '../../src/crypto/digest.ts';
import { signIdToken } from '../../src/crypto/jwt.ts';

const REDIRECT = 'https://rp.example/callback';
const SIGNED_OUT = 'https://rp.example/signed-out';
const WITH_QUERY = 'https://rp.example/bye?from=tessera';
const OTHER_SIGNED_OUT = 'https://other.example/signed-out';
const EMAIL = 'alice@example.com';

/** The parts of a compact JWS, for tampering. */
function parts(jwt: string): { header: Record<string, unknown>; payload: Record<string, unknown>; signature: string } {
  const [h, p, s] = jwt.split('.');
  const decode = (v: string) => JSON.parse(Buffer.from(v, 'base64url').toString('utf8')) as Record<string, unknown>;
  return { header: decode(h!), payload: decode(p!), signature: s! };
}

function compact(header: object, payload: object, signature: string): string {
  const encode = (v: object) => Buffer.from(JSON.stringify(v), 'utf8').toString('base64url');
  return `${encode(header)}.${encode(payload)}.${signature}`;
}

for (const dialect of dialects()) {
  describe(`OpenID Connect RP-Initiated Logout through openid-client (${dialect})`, () => {
    let t: TestApp;
    let rp: TestClient;
    let other: TestClient;

    before(async () => {
      t = await startTestApp({ dialect, listen: true });
      await createUser(t.deps, EMAIL, 'Alice');
      rp = await createClient(t.deps, { name: 'Logout RP', redirectUris: [REDIRECT], postLogoutRedirectUris: [SIGNED_OUT, WITH_QUERY] });
      other = await createClient(t.deps, { name: 'Other RP', redirectUris: [REDIRECT], postLogoutRedirectUris: [OTHER_SIGNED_OUT] });
    });
    after(() => t.close());

    function configFor(as: TestClient): Promise<oidc.Configuration> {
      return oidc.discovery(new URL(t.issuer), as.clientId, { client_secret: as.clientSecret }, undefined, { execute: [oidc.allowInsecureRequests] });
    }

    /** The code flow as openid-client runs it, in `browser` (signing in when asked); returns the ID token. */
    async function signInThrough(as: TestClient, browser: Browser): Promise<{ config: oidc.Configuration; idToken: string }> {
      const config = await configFor(as);
      const { url, verifier, state, nonce } = await startFlow(config, REDIRECT);
      const callback = await authorize(t, Object.fromEntries(url.searchParams), { browser, email: EMAIL, approve: true });
      const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce, idTokenExpected: true });
      return { config, idToken: tokens.id_token! };
    }

    function pathOf(url: URL): string {
      assert.equal(url.origin + url.pathname, `${t.issuer}/logout`);
      return url.pathname + url.search;
    }

    async function sessionLive(browser: Browser): Promise<boolean> {
      const cookie = browser.sessionCookie();
      return cookie !== undefined && (await t.deps.stores.sessions.findLive(digest(cookie.value), t.clock.now())) !== undefined;
    }

    /** A refusal: 400, the reason on the page, no redirect anywhere, no form that could carry the address. */
    function assertRefused(res: Response, reason: RegExp, label: string, address?: string): void {
      assert.equal(res.statusCode, 400, `${label}: ${res.statusCode}`);
      assert.equal(redirectLocation(res), undefined, label);
      assert.match(res.body, reason, label);
      const form = findForm(res.body, /^\/logout\/confirm$/);
      if (form) assert.deepEqual(Object.keys(form.hidden), ['token'], `${label}: only the plain sign-out is offered`);
      if (address !== undefined) assert.ok(!res.body.includes(`href="${address}`), `${label}: no link to the address`);
    }

    it('discovery advertises end_session_endpoint = issuer/logout', async () => {
      const config = await configFor(rp);
      assert.equal(config.serverMetadata().end_session_endpoint, `${t.issuer}/logout`);
    });

    it('oidcc-rp-initiated-logout: confirmation naming the service, POST, 303 to the registered URI with state; the session is gone', async () => {
      const browser = new Browser(t);
      const { config, idToken } = await signInThrough(rp, browser);
      const cookie = browser.sessionCookie()!.value;
      const state = oidc.randomState();
      const url = oidc.buildEndSessionUrl(config, { id_token_hint: idToken, post_logout_redirect_uri: SIGNED_OUT, state });

      const page = await browser.get(pathOf(url));
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /Sign out of Tessera\?/);
      assert.match(page.body, /Logout RP asks you to sign out/);
      assert.match(page.body, /class="app-identity"/);
      assert.match(page.body, /sent back to rp\.example/);
      // Chromium checks the redirect after the POST against form-action (STACK trap 6).
      assert.match(String(page.headers['content-security-policy']), /form-action 'self' https:\/\/rp\.example;/);
      const form = findForm(page.body, /^\/logout\/confirm$/)!;
      assert.equal(form.hidden.client_id, rp.clientId);
      assert.equal(form.hidden.post_logout_redirect_uri, SIGNED_OUT);
      assert.equal(form.hidden.state, state);
      assert.equal(form.hidden.id_token_hint, undefined, 'the hint is not carried on');
      assert.ok(await sessionLive(browser), 'showing the page ends nothing');

      const res = await browser.submit(page, /^\/logout\/confirm$/);
      assert.equal(res.statusCode, 303);
      assert.equal(res.headers.location, `${SIGNED_OUT}?state=${state}`);
      assert.equal(res.headers['clear-site-data'], '"cookies"');
      assert.equal(browser.sessionCookie(), undefined);
      assert.equal(await t.deps.stores.sessions.findLive(digest(cookie), t.clock.now()), undefined);

      // oidcc-prompt-none-not-logged-in after logout: the old cookie gets the sign-in page, prompt=none login_required.
      const again = new Browser(t);
      const signIn = await again.follow(await again.get(authorizeUrl(codeRequest(rp.clientId, REDIRECT).params), { cookie: `tessera_session=${cookie}` }));
      assert.ok(isSignInPage(signIn));
      const none = await again.get(authorizeUrl(codeRequest(rp.clientId, REDIRECT, { prompt: 'none' }).params), { cookie: `tessera_session=${cookie}` });
      assert.equal(new URL(String(none.headers.location)).searchParams.get('error'), 'login_required');
    });

    it('a registered URI with a query keeps it; state is appended, encoded', async () => {
      const browser = new Browser(t);
      const { config, idToken } = await signInThrough(rp, browser);
      const state = 'a b&c=d';
      const page = await browser.get(pathOf(oidc.buildEndSessionUrl(config, { id_token_hint: idToken, post_logout_redirect_uri: WITH_QUERY, state })));
      const res = await browser.submit(page, /^\/logout\/confirm$/);
      assert.equal(res.headers.location, `${WITH_QUERY}&state=a%20b%26c%3Dd`);
      assert.equal(new URL(String(res.headers.location)).searchParams.get('state'), state);
    });

    it('an expired ID token is still a valid hint (RP-Initiated Logout §2)', async () => {
      const browser = new Browser(t);
      await signInThrough(rp, browser);
      const now = t.clock.now();
      const expired = await signIdToken(t.deps.keys.keys, { iss: t.issuer, sub: 'someone', aud: rp.clientId, iat: now - 7200, exp: now - 3600, auth_time: now - 7200 });
      const page = await browser.get(`/logout?id_token_hint=${expired}&post_logout_redirect_uri=${encodeURIComponent(SIGNED_OUT)}`);
      assert.equal(page.statusCode, 200);
      assert.equal(findForm(page.body, /^\/logout\/confirm$/)!.hidden.post_logout_redirect_uri, SIGNED_OUT);
    });

    it('a hint signed with a key since rotated out of signing (still in the JWKS) is valid', async () => {
      const browser = new Browser(t);
      const { config, idToken } = await signInThrough(rp, browser);
      const oldKid = parts(idToken).header.kid;
      await t.deps.keys.rotate();
      assert.notEqual(t.deps.keys.keys.signingKey().kid, oldKid, 'another key signs now');
      const page = await browser.get(pathOf(oidc.buildEndSessionUrl(config, { id_token_hint: idToken, post_logout_redirect_uri: SIGNED_OUT })));
      assert.equal(page.statusCode, 200);
      assert.equal(findForm(page.body, /^\/logout\/confirm$/)!.hidden.post_logout_redirect_uri, SIGNED_OUT);
    });

    it('oidcc-rp-initiated-logout-bad-post-logout-redirect-uri: no redirect for an unregistered URI or a variant of a registered one', async () => {
      const browser = new Browser(t);
      const { config, idToken } = await signInThrough(rp, browser);
      const baits = [
        'https://evil.example/signed-out',
        `${SIGNED_OUT}/`,
        'https://RP.example/signed-out',
        `${SIGNED_OUT}?x=1`,
        'https://rp.example/bye',
        REDIRECT, // a redirect_uri, not a post_logout_redirect_uri
        OTHER_SIGNED_OUT, // registered, but by another client
      ];
      for (const bait of baits) {
        const url = oidc.buildEndSessionUrl(config, { id_token_hint: idToken, post_logout_redirect_uri: bait, state: 's' });
        assertRefused(await browser.get(pathOf(url)), /return address in this sign-out request is not registered/, `GET ${bait}`, bait);
        assertRefused(await browser.post('/logout', { id_token_hint: idToken, post_logout_redirect_uri: bait, state: 's' }), /not registered/, `POST ${bait}`, bait);
      }
      assert.ok(await sessionLive(browser), 'no refused request ended the session');

      // The confirmation form with its address swapped fails its token and ends nothing.
      const page = await browser.get(pathOf(oidc.buildEndSessionUrl(config, { id_token_hint: idToken, post_logout_redirect_uri: SIGNED_OUT, state: 's' })));
      const swapped = await browser.submit(page, /^\/logout\/confirm$/, { post_logout_redirect_uri: OTHER_SIGNED_OUT, client_id: other.clientId });
      assert.equal(swapped.statusCode, 403);
      assert.equal(redirectLocation(swapped), undefined);
      assert.ok(await sessionLive(browser));
    });

    it('oidcc-rp-initiated-logout-modified-id-token-hint: no redirect for a hint altered to alg:none, with a changed payload, or of another client than client_id', async () => {
      const browser = new Browser(t);
      const { idToken } = await signInThrough(rp, browser);
      const { idToken: otherToken } = await signInThrough(other, browser);
      const { header, payload, signature } = parts(idToken);
      const hints: Record<string, string> = {
        'alg none': compact({ ...header, alg: 'none' }, payload, ''),
        'alg none, signature kept': compact({ ...header, alg: 'none' }, payload, signature),
        'alg HS256': compact({ ...header, alg: 'HS256' }, payload, signature),
        'changed sub': compact(header, { ...payload, sub: 'someone-else' }, signature),
        'changed aud': compact(header, { ...payload, aud: other.clientId }, signature),
        'changed iss': compact(header, { ...payload, iss: 'https://evil.example' }, signature),
        'unknown kid': compact({ ...header, kid: 'not-ours' }, payload, signature),
        'not a JWT': 'garbage',
      };
      for (const [label, hint] of Object.entries(hints)) {
        const res = await browser.get(`/logout?id_token_hint=${encodeURIComponent(hint)}&post_logout_redirect_uri=${encodeURIComponent(SIGNED_OUT)}&state=s`);
        assertRefused(res, /ID token that Tessera did not issue, or that was altered/, label, SIGNED_OUT);
      }
      // Another client's genuine token beside our client_id.
      const mismatch = await browser.get(`/logout?id_token_hint=${otherToken}&client_id=${rp.clientId}&post_logout_redirect_uri=${encodeURIComponent(SIGNED_OUT)}`);
      assertRefused(mismatch, /names two different services/, 'hint of another client', SIGNED_OUT);
      // The same token for its own client works: the checks above are what refused.
      const own = await browser.get(`/logout?id_token_hint=${otherToken}&client_id=${other.clientId}&post_logout_redirect_uri=${encodeURIComponent(OTHER_SIGNED_OUT)}`);
      assert.equal(own.statusCode, 200);
      assert.equal(findForm(own.body, /^\/logout\/confirm$/)!.hidden.post_logout_redirect_uri, OTHER_SIGNED_OUT);
      assert.ok(await sessionLive(browser));
    });

    it('oidcc-rp-initiated-logout-no-id-token-hint: no redirect without a hint, even to a registered address; the session survives until the POST', async () => {
      const browser = new Browser(t);
      const { config } = await signInThrough(rp, browser);
      // openid-client sends client_id when there is no hint (§2); client_id names, it does not prove.
      const url = oidc.buildEndSessionUrl(config, { post_logout_redirect_uri: SIGNED_OUT, state: 'no-hint' });
      assert.equal(url.searchParams.get('client_id'), rp.clientId);
      const page = await browser.get(pathOf(url));
      assertRefused(page, /did not identify itself with an ID token/, 'GET without a hint', SIGNED_OUT);
      assert.ok(await sessionLive(browser), 'GET ended nothing');
      // The same request as a service's form POST (§2): the same page.
      const posted = await browser.post('/logout', Object.fromEntries(url.searchParams));
      assertRefused(posted, /did not identify itself with an ID token/, 'POST without a hint', SIGNED_OUT);
      assertRefused(await browser.get(`/logout?post_logout_redirect_uri=${encodeURIComponent(SIGNED_OUT)}`), /did not identify itself/, 'neither hint nor client_id', SIGNED_OUT);
      assert.ok(await sessionLive(browser), 'the service\'s POST ended nothing');
      // The page still lets the person sign out, and sends them nowhere.
      const res = await browser.submit(page, /^\/logout\/confirm$/);
      assert.equal(res.statusCode, 303);
      assert.equal(res.headers.location, '/logout');
      assert.equal(browser.sessionCookie(), undefined);
    });

    it('oidcc-rp-initiated-logout-no-params: the plain confirmation; the session survives until the POST; then "You are signed out"', async () => {
      const browser = new Browser(t);
      await browser.signIn(EMAIL);
      const plain = await browser.get('/logout');
      assert.equal(plain.statusCode, 200);
      assert.deepEqual(Object.keys(findForm(plain.body, /^\/logout\/confirm$/)!.hidden), ['token']);
      assert.ok(await sessionLive(browser));
      // client_id alone names the service on the page.
      const named = await browser.get(`/logout?client_id=${rp.clientId}`);
      assert.match(named.body, /Logout RP asks you to sign out/);
      assert.deepEqual(Object.keys(findForm(named.body, /^\/logout\/confirm$/)!.hidden), ['token']);
      const out = await browser.submit(plain, /^\/logout\/confirm$/);
      assert.equal(out.headers.location, '/logout');
      assert.match((await browser.follow(out)).body, /You are signed out/);
      assert.equal(await sessionLive(browser), false);
    });

    it('oidcc-rp-initiated-logout-no-post-logout-redirect-uri, -only-state, -no-state: a return only with an address; state only with it', async () => {
      const browser = new Browser(t);
      const { config, idToken } = await signInThrough(rp, browser);
      const requests: Record<string, string>[] = [{ id_token_hint: idToken }, { id_token_hint: idToken, state: 'only-state' }];
      for (const params of requests) {
        const page = await browser.get(pathOf(oidc.buildEndSessionUrl(config, params)));
        assert.equal(page.statusCode, 200, JSON.stringify(params));
        assert.deepEqual(Object.keys(findForm(page.body, /^\/logout\/confirm$/)!.hidden), ['token'], JSON.stringify(params));
      }
      const onlyState = await browser.get(pathOf(oidc.buildEndSessionUrl(config, { id_token_hint: idToken, state: 'only-state' })));
      assert.equal((await browser.submit(onlyState, /^\/logout\/confirm$/)).headers.location, '/logout', 'no address: the signed-out page');

      const again = new Browser(t);
      const second = await signInThrough(rp, again);
      const noState = await again.get(pathOf(oidc.buildEndSessionUrl(config, { id_token_hint: second.idToken, post_logout_redirect_uri: SIGNED_OUT })));
      assert.equal(findForm(noState.body, /^\/logout\/confirm$/)!.hidden.state, undefined);
      assert.equal((await again.submit(noState, /^\/logout\/confirm$/)).headers.location, SIGNED_OUT, 'no state: the address as registered');
    });

    it('without a session: "You are signed out", with a link back only to a registered address', async () => {
      const browser = new Browser(t);
      const { config, idToken } = await signInThrough(rp, browser);
      await browser.submit(await browser.get('/logout'), /^\/logout\/confirm$/);
      const page = await browser.get(pathOf(oidc.buildEndSessionUrl(config, { id_token_hint: idToken, post_logout_redirect_uri: SIGNED_OUT, state: 'after' })));
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /You are signed out/);
      assert.match(page.body, new RegExp(`<a href="${SIGNED_OUT}\\?state=after" id="continue">`));
      assert.equal(findForm(page.body, /^\/logout\/confirm$/), undefined);
      const refused = await browser.get(pathOf(oidc.buildEndSessionUrl(config, { id_token_hint: idToken, post_logout_redirect_uri: 'https://evil.example/', state: 'after' })));
      assertRefused(refused, /not registered/, 'signed out, unregistered', 'https://evil.example/');
    });

    it('a cross-site POST of the confirmation gets 403 and ends nothing', async () => {
      const browser = new Browser(t);
      const { config, idToken } = await signInThrough(rp, browser);
      const page = await browser.get(pathOf(oidc.buildEndSessionUrl(config, { id_token_hint: idToken, post_logout_redirect_uri: SIGNED_OUT, state: 'x' })));
      const crossSite: Record<string, string>[] = [{ origin: 'https://evil.example' }, { 'sec-fetch-site': 'cross-site' }, { origin: 'https://rp.example' }];
      for (const headers of crossSite) {
        const res = await browser.submit(page, /^\/logout\/confirm$/, {}, headers);
        assert.equal(res.statusCode, 403, JSON.stringify(headers));
        assert.equal(redirectLocation(res), undefined);
      }
      const noToken = await browser.post('/logout/confirm', { token: 'forged', client_id: rp.clientId, post_logout_redirect_uri: SIGNED_OUT });
      assert.equal(noToken.statusCode, 403);
      assert.ok(await sessionLive(browser));
    });
  });
}
