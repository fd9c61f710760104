/**
 * The OpenID Foundation's basic OP certification plan (oidcc-basic-certification-test-plan),
 * one test per check, named by the OIDF test name, driven by openid-client v6 (a certified
 * relying-party library) over real HTTP against a listening Tessera. The person's part (sign-in
 * and approval) is played by the cookie-jar browser. docs/security.md ("OpenID Foundation basic
 * OP checks") maps each OIDF test to the test here, or says why it does not apply.
 *
 * Clock: the server runs on a TestClock; when a test moves it, `advance()` moves openid-client's
 * `clockSkew` along, so the client validates `iat`/`exp`/`auth_time` against the server's time.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createClient, createUser, type TestClient } from '../support/fixtures.ts';
import { authorize, Browser, isSignInPage, redirectLocation } from '../support/browser.ts';
import { startFlow, type Flow } from '../support/openid_client.ts';
import type { User } from '../../src/domain/users.ts';

const REDIRECT = 'https://rp.example/callback';
const EMAIL = 'alice@example.com';
const NAME = 'Alice Liddell';

/** What openid-client sent to the token endpoint, captured through its customFetch hook. */
interface SentRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

const isInvalidGrant = (err: unknown) => err instanceof oidc.ResponseBodyError && err.error === 'invalid_grant';

for (const dialect of dialects()) {
  describe(`OpenID Foundation basic OP checks through openid-client (${dialect})`, () => {
    let t: TestApp;
    let alice: User;
    let rp: TestClient;
    let other: TestClient;
    /** Seconds the server's clock has been moved ahead of the real time. */
    let skew = 0;

    before(async () => {
      t = await startTestApp({ dialect, listen: true });
      alice = await createUser(t.deps, EMAIL, NAME);
      rp = await createClient(t.deps, { name: 'Certification RP', redirectUris: [REDIRECT] });
      other = await createClient(t.deps, { name: 'Second RP', redirectUris: [REDIRECT] });
    });
    after(() => t.close());

    function advance(seconds: number): void {
      t.clock.advance(seconds);
      skew += seconds;
    }

    /** A fresh openid-client configuration from discovery, on the server's clock. */
    async function client(options: { as?: TestClient; auth?: oidc.ClientAuth; sent?: SentRequest[] } = {}): Promise<oidc.Configuration> {
      const as = options.as ?? rp;
      const config = await oidc.discovery(
        new URL(t.issuer),
        as.clientId,
        { client_secret: as.clientSecret, [oidc.clockSkew]: skew },
        options.auth,
        { execute: [oidc.allowInsecureRequests] },
      );
      const sent = options.sent;
      if (sent) {
        config[oidc.customFetch] = async (url, init) => {
          sent.push({ url, headers: { ...(init.headers as Record<string, string>) }, body: String(init.body ?? '') });
          return fetch(url, init as RequestInit);
        };
      }
      return config;
    }

    function start(config: oidc.Configuration, extra: Record<string, string> = {}, nonce = true): Promise<Flow> {
      return startFlow(config, REDIRECT, extra, nonce);
    }

    /** The person's part: sign in and approve when asked (only when `as` says so). */
    function run(flow: Flow, browser: Browser, as: { signIn?: boolean; approve?: boolean } = { signIn: true, approve: true }): Promise<URL> {
      return authorize(t, Object.fromEntries(flow.url.searchParams), {
        browser,
        ...(as.signIn ? { email: EMAIL } : {}),
        ...(as.approve ? { approve: true } : {}),
      });
    }

    /** openid-client's callback validation (state, iss, PKCE, nonce, ID token) and code exchange. */
    function finish(config: oidc.Configuration, flow: Flow, callback: URL, maxAge?: number) {
      return oidc.authorizationCodeGrant(config, callback, {
        pkceCodeVerifier: flow.verifier,
        expectedState: flow.state,
        idTokenExpected: true,
        ...(flow.nonce === undefined ? {} : { expectedNonce: flow.nonce }),
        ...(maxAge === undefined ? {} : { maxAge }),
      });
    }

    /** The whole code flow for a new signed-in browser; returns the tokens and the browser. */
    async function connect(extra: Record<string, string> = {}, browser = new Browser(t)) {
      const config = await client();
      const flow = await start(config, extra);
      const callback = await run(flow, browser);
      assert.equal(callback.origin + callback.pathname, REDIRECT);
      const tokens = await finish(config, flow, callback);
      return { config, browser, tokens, claims: tokens.claims()! };
    }

    /**
     * Opens the authorization URL in a signed-in browser and asserts that the OP asks for the
     * password again; signs in and returns the callback.
     */
    async function reauthenticate(browser: Browser, flow: Flow): Promise<URL> {
      const page = await browser.follow(await browser.get(flow.url.pathname + flow.url.search));
      assert.equal(isSignInPage(page), true, `expected the sign-in page, got ${page.statusCode}`);
      const signedIn = await browser.follow(await browser.signInOn(page, EMAIL));
      const location = redirectLocation(signedIn);
      assert.ok(location, `expected a redirect to the client, got ${signedIn.statusCode}`);
      return new URL(location);
    }

    const userinfoStatus = (accessToken: string) =>
      fetch(`${t.issuer}/userinfo`, { headers: { authorization: `Bearer ${accessToken}` } }).then((r) => r.status);

    it('oidcc-server: discovery, code flow with PKCE, and an ID token with every required claim', async () => {
      const config = await client();
      const meta = config.serverMetadata();
      assert.equal(meta.issuer, t.issuer);
      assert.deepEqual(meta.response_types_supported, ['code']);
      assert.ok(meta.scopes_supported?.includes('openid'));
      assert.ok(meta.subject_types_supported?.includes('public'));
      const { tokens, claims } = await connect();
      assert.equal(tokens.token_type.toLowerCase(), 'bearer');
      assert.equal(typeof tokens.expires_in, 'number');
      assert.equal(claims.iss, t.issuer);
      assert.equal(claims.sub, alice.id);
      assert.equal(claims.aud, rp.clientId);
      assert.ok(claims.exp > claims.iat);
      assert.equal(typeof claims.auth_time, 'number');
      assert.equal(typeof claims.nonce, 'string');
    });

    it('oidcc-idtoken-signature: the ID token verifies against the published JWKS, and a tampered one does not', async () => {
      const { config, tokens, claims } = await connect();
      const jwks = createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri!));
      const { payload, protectedHeader } = await jwtVerify(tokens.id_token!, jwks, { issuer: t.issuer, audience: rp.clientId });
      assert.equal(payload.sub, claims.sub);
      assert.ok(protectedHeader.kid);
      const [h, p, s] = tokens.id_token!.split('.') as [string, string, string];
      const flipped = s.slice(0, 10) + (s[10] === 'A' ? 'B' : 'A') + s.slice(11);
      await assert.rejects(jwtVerify(`${h}.${p}.${flipped}`, jwks));
      const forged = Buffer.from(JSON.stringify({ ...payload, sub: 'someone-else' })).toString('base64url');
      await assert.rejects(jwtVerify(`${h}.${forged}.${s}`, jwks));
    });

    it('oidcc-idtoken-rs256: Tessera signs with ES256 only, advertised and used (the RS256 check is replaced by ES256)', async () => {
      const { config, tokens } = await connect();
      assert.deepEqual(config.serverMetadata().id_token_signing_alg_values_supported, ['ES256']);
      assert.equal(decodeProtectedHeader(tokens.id_token!).alg, 'ES256');
    });

    it('oidcc-userinfo-get: userinfo by GET with the bearer header', async () => {
      const { config, tokens, claims } = await connect({ scope: 'openid profile email' });
      const info = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
      assert.deepEqual({ sub: info.sub, name: info.name, email: info.email }, { sub: alice.id, name: NAME, email: EMAIL });
    });

    it('oidcc-userinfo-post-header: userinfo by POST with the bearer header', async () => {
      const { config, tokens } = await connect({ scope: 'openid profile' });
      const res = await oidc.fetchProtectedResource(config, tokens.access_token, new URL(config.serverMetadata().userinfo_endpoint!), 'POST');
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { sub: alice.id, name: NAME });
    });

    it('oidcc-userinfo-post-body: userinfo by POST with access_token in a form body (RFC 6750 §2.2)', async () => {
      const { config, tokens } = await connect({ scope: 'openid profile' });
      const res = await fetch(config.serverMetadata().userinfo_endpoint!, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ access_token: tokens.access_token }).toString(),
      });
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { sub: alice.id, name: NAME });
    });

    it('oidcc-prompt-login: a signed-in person is asked to sign in again, and auth_time moves', async () => {
      const first = await connect();
      advance(2);
      const config = await client();
      const flow = await start(config, { prompt: 'login' });
      const callback = await reauthenticate(first.browser, flow);
      const claims = (await finish(config, flow, callback)).claims()!;
      assert.equal(claims.sub, first.claims.sub);
      assert.ok(claims.auth_time! > first.claims.auth_time!, `auth_time ${claims.auth_time} after ${first.claims.auth_time}`);
    });

    it('oidcc-prompt-none-not-logged-in: no session gives login_required at the redirect URI, with state', async () => {
      const config = await client();
      const flow = await start(config, { prompt: 'none' });
      const callback = await run(flow, new Browser(t), {});
      assert.equal(callback.origin + callback.pathname, REDIRECT);
      assert.equal(callback.searchParams.get('state'), flow.state);
      assert.equal(callback.searchParams.get('code'), null);
      await assert.rejects(finish(config, flow, callback), (err: unknown) => err instanceof oidc.AuthorizationResponseError && err.error === 'login_required');
    });

    it('oidcc-prompt-none-logged-in: a signed-in person who approved before gets a code without any page', async () => {
      const first = await connect();
      const config = await client();
      const flow = await start(config, { prompt: 'none' });
      // No sign-in and no approval allowed: authorize() fails if any page is shown.
      const callback = await run(flow, first.browser, {});
      const claims = (await finish(config, flow, callback)).claims()!;
      assert.equal(claims.sub, alice.id);
      assert.equal(claims.auth_time, first.claims.auth_time);
    });

    it('oidcc-max-age-1: after more than 1 s, max_age=1 asks for the password again and auth_time is new', async () => {
      const first = await connect();
      advance(2);
      const config = await client();
      const flow = await start(config, { max_age: '1' });
      const callback = await reauthenticate(first.browser, flow);
      const claims = (await finish(config, flow, callback, 1)).claims()!;
      assert.ok(claims.auth_time! >= first.claims.auth_time! + 2);
    });

    it('oidcc-max-age-10000: a recent sign-in is reused without a page, and auth_time is returned', async () => {
      const first = await connect();
      advance(5);
      const config = await client();
      const flow = await start(config, { max_age: '10000' });
      const callback = await run(flow, first.browser, {});
      const claims = (await finish(config, flow, callback, 10000)).claims()!;
      assert.equal(claims.auth_time, first.claims.auth_time);
    });

    it('oidcc-ensure-request-with-unknown-parameter-succeeds: an unknown parameter is ignored', async () => {
      const { claims } = await connect({ extra: 'foobar', 'x-unknown': 'ß ✓' });
      assert.equal(claims.sub, alice.id);
    });

    it('oidcc-codereuse: the second redemption of a code is invalid_grant', async () => {
      const config = await client();
      const flow = await start(config, { scope: 'openid' });
      const callback = await run(flow, new Browser(t));
      const tokens = await finish(config, flow, callback);
      assert.ok(tokens.access_token);
      await assert.rejects(finish(config, flow, callback), isInvalidGrant);
    });

    it('oidcc-codereuse-30seconds: a code replayed after 30 s is refused and the tokens it gave are revoked', async () => {
      const config = await client();
      const flow = await start(config, { scope: 'openid offline_access' });
      const callback = await run(flow, new Browser(t));
      const tokens = await finish(config, flow, callback);
      assert.equal(await userinfoStatus(tokens.access_token), 200);
      advance(30);
      const later = await client();
      await assert.rejects(finish(later, flow, callback), isInvalidGrant);
      // SECURITY 11 / RFC 6749 §4.1.2: everything issued from the code is revoked.
      assert.equal(await userinfoStatus(tokens.access_token), 401);
      await assert.rejects(oidc.fetchUserInfo(later, tokens.access_token, oidc.skipSubjectCheck));
      await assert.rejects(oidc.refreshTokenGrant(later, tokens.refresh_token!), isInvalidGrant);
      assert.equal((await oidc.tokenIntrospection(later, tokens.access_token)).active, false);
    });

    it('oidcc-ensure-registered-redirect-uri: an unregistered redirect_uri gets an error page, never a redirect', async () => {
      const config = await client();
      const browser = new Browser(t);
      await browser.signIn(EMAIL);
      for (const redirect of ['https://rp.example/other', 'https://attacker.example/callback', REDIRECT + '?x=1']) {
        const flow = await start(config, { redirect_uri: redirect });
        const res = await browser.follow(await browser.get(flow.url.pathname + flow.url.search));
        assert.equal(res.statusCode, 400, redirect);
        assert.equal(res.headers.location, undefined, redirect);
        assert.match(String(res.headers['content-type']), /text\/html/);
      }
    });

    for (const method of ['client_secret_post', 'client_secret_basic'] as const) {
      it(`oidcc-client-secret-${method === 'client_secret_post' ? 'post' : 'basic'}: the token endpoint accepts ${method}`, async () => {
        const sent: SentRequest[] = [];
        const auth = method === 'client_secret_post' ? oidc.ClientSecretPost(rp.clientSecret) : oidc.ClientSecretBasic(rp.clientSecret);
        const config = await client({ auth, sent });
        assert.ok(config.serverMetadata().token_endpoint_auth_methods_supported?.includes(method));
        const flow = await start(config);
        const tokens = await finish(config, flow, await run(flow, new Browser(t)));
        assert.equal(tokens.claims()?.sub, alice.id);
        const token = sent.find((r) => r.url.endsWith('/token'));
        assert.ok(token, 'the token request went through the capture');
        const body = new URLSearchParams(token.body);
        const authorization = Object.entries(token.headers).find(([k]) => k.toLowerCase() === 'authorization')?.[1];
        if (method === 'client_secret_post') {
          assert.equal(body.get('client_secret'), rp.clientSecret);
          assert.equal(authorization, undefined);
        } else {
          assert.equal(body.get('client_secret'), null);
          assert.match(authorization ?? '', /^Basic /);
        }
        // A wrong secret by the same method is refused: 401 invalid_client (RFC 6749 §5.2), with a
        // Basic challenge, which openid-client reports as a WWW-Authenticate challenge.
        const wrong = await client({ auth: method === 'client_secret_post' ? oidc.ClientSecretPost('wrong') : oidc.ClientSecretBasic('wrong') });
        const flow2 = await start(wrong);
        await assert.rejects(finish(wrong, flow2, await run(flow2, new Browser(t))), (err: unknown) => {
          if (err instanceof oidc.ResponseBodyError) return err.status === 401 && err.error === 'invalid_client';
          return err instanceof oidc.WWWAuthenticateChallengeError && err.status === 401 && err.cause.some((c) => c.scheme === 'basic');
        });
      });
    }

    it('oidcc-refresh-token: refresh gives new working tokens; another client cannot use the refresh token', async () => {
      const { config, tokens, claims } = await connect({ scope: 'openid profile offline_access' });
      assert.ok(tokens.refresh_token);
      const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token);
      assert.notEqual(refreshed.access_token, tokens.access_token);
      assert.ok(refreshed.refresh_token && refreshed.refresh_token !== tokens.refresh_token);
      // openid-client checks a returned ID token's iss, aud and sub against the first one.
      const again = refreshed.claims();
      if (again) assert.equal(again.sub, claims.sub);
      const info = await oidc.fetchUserInfo(config, refreshed.access_token, claims.sub);
      assert.equal(info.name, NAME);
      const stranger = await client({ as: other });
      await assert.rejects(oidc.refreshTokenGrant(stranger, refreshed.refresh_token), isInvalidGrant);
    });

    it('oidcc-ensure-request-without-nonce-succeeds-for-code-flow: no nonce is fine, and none comes back', async () => {
      const config = await client();
      const flow = await start(config, {}, false);
      assert.equal(flow.url.searchParams.get('nonce'), null);
      const claims = (await finish(config, flow, await run(flow, new Browser(t)))).claims()!;
      assert.equal(claims.sub, alice.id);
      assert.equal(claims.nonce, undefined);
    });

    it('oidcc-scope-profile: scope profile releases the name and not the email', async () => {
      const { config, tokens, claims } = await connect({ scope: 'openid profile' });
      assert.equal(tokens.scope, 'openid profile');
      const info = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
      assert.equal(info.name, NAME);
      assert.equal(info.email, undefined);
    });

    it('oidcc-scope-email: scope email releases the email (not verified) and not the name', async () => {
      const { config, tokens, claims } = await connect({ scope: 'openid email' });
      assert.equal(tokens.scope, 'openid email');
      const info = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
      assert.equal(info.email, EMAIL);
      assert.equal(info.email_verified, false);
      assert.equal(info.name, undefined);
    });

    it('oidcc-id-token-hint: prompt=none with the previous ID token as id_token_hint gives a code for the same person', async () => {
      const first = await connect();
      const config = await client();
      const flow = await start(config, { prompt: 'none', id_token_hint: first.tokens.id_token! });
      const callback = await run(flow, first.browser, {});
      assert.ok(callback.searchParams.get('code'), callback.search);
      const claims = (await finish(config, flow, callback)).claims()!;
      assert.equal(claims.sub, first.claims.sub);
    });

    it('oidcc-id-token-hint, another person: a hint naming someone else than who is signed in gives login_required with prompt=none, the sign-in page without; a hint that is not ours is invalid_request', async () => {
      const first = await connect();
      const bobEmail = `bob-hint-${Date.now()}@example.com`;
      await createUser(t.deps, bobEmail, 'Bob');
      const bob = new Browser(t);
      await bob.signIn(bobEmail);
      const config = await client();
      const open = async (browser: Browser, flow: Flow) => browser.follow(await browser.get(flow.url.pathname + flow.url.search));

      const silent = await open(bob, await start(config, { prompt: 'none', id_token_hint: first.tokens.id_token! }));
      const location = redirectLocation(silent);
      assert.ok(location, `expected a redirect, got ${silent.statusCode}`);
      assert.equal(new URL(location).searchParams.get('error'), 'login_required');
      assert.equal(new URL(location).searchParams.get('code'), null);

      assert.equal(isSignInPage(await open(bob, await start(config, { id_token_hint: first.tokens.id_token! }))), true, 'asked to sign in as the hinted person');

      const forged = await open(first.browser, await start(config, { id_token_hint: first.tokens.id_token!.slice(0, -4) + 'AAAA' }));
      const refused = redirectLocation(forged);
      assert.ok(refused, `expected a redirect, got ${forged.statusCode}`);
      assert.equal(new URL(refused).searchParams.get('error'), 'invalid_request');
    });

    it('oidcc-response-type-missing: a request without response_type is refused, never with a code', async () => {
      const config = await client();
      const flow = await start(config);
      flow.url.searchParams.delete('response_type');
      const browser = new Browser(t);
      await browser.signIn(EMAIL);
      const res = await browser.follow(await browser.get(flow.url.pathname + flow.url.search));
      // Client and redirect URI are valid, so the error goes back to the client (RFC 6749 §4.1.2.1).
      const location = redirectLocation(res);
      assert.ok(location, `expected a redirect, got ${res.statusCode}`);
      const callback = new URL(location);
      assert.equal(callback.origin + callback.pathname, REDIRECT);
      assert.equal(callback.searchParams.get('code'), null);
      await assert.rejects(finish(config, flow, callback), (err: unknown) => err instanceof oidc.AuthorizationResponseError && err.error === 'invalid_request');
    });

    it('oidcc-ensure-other-scope-order-succeeds: "email openid" works as well as "openid email"', async () => {
      const { tokens, claims } = await connect({ scope: 'email openid' });
      assert.equal(claims.sub, alice.id);
      assert.deepEqual(tokens.scope?.split(' ').sort(), ['email', 'openid']);
    });

    for (const display of ['page', 'popup']) {
      it(`oidcc-display-${display}: display=${display} is accepted (the pages are the same)`, async () => {
        const { claims } = await connect({ display });
        assert.equal(claims.sub, alice.id);
      });
    }

    it('oidcc-login-hint: login_hint is accepted (it is only a hint; the person still types the address)', async () => {
      const { claims } = await connect({ login_hint: EMAIL });
      assert.equal(claims.sub, alice.id);
    });

    it('oidcc-claims-essential: the claims parameter is not supported (advertised so) and is ignored, not an error', async () => {
      const config = await client();
      assert.equal(config.serverMetadata().claims_parameter_supported, false);
      const { claims } = await connect({ claims: JSON.stringify({ userinfo: { name: { essential: true } } }) });
      assert.equal(claims.sub, alice.id);
    });

    it('oidcc-ensure-post-request-succeeds: the authorization request sent as a form POST works (OIDC Core §3.1.2.1)', async () => {
      const config = await client();
      const flow = await start(config);
      const browser = new Browser(t);
      await browser.signIn(EMAIL);
      // Approve once by GET so the POST can finish without a page.
      await run(await start(config), browser, { approve: true });
      const res = await browser.follow(await browser.post('/authorize', Object.fromEntries(flow.url.searchParams)));
      const location = redirectLocation(res);
      assert.ok(location, `expected a redirect, got ${res.statusCode}`);
      assert.equal(res.statusCode, 303);
      const claims = (await finish(config, flow, new URL(location))).claims()!;
      assert.equal(claims.sub, alice.id);
    });

    it('oidcc-server-rotate-keys: after a rotation the new key signs and the client finds it in the JWKS', async () => {
      const older = await connect();
      const oldKid = decodeProtectedHeader(older.tokens.id_token!).kid;
      await t.deps.keys.rotate();
      const newer = await connect();
      const newKid = decodeProtectedHeader(newer.tokens.id_token!).kid;
      assert.notEqual(newKid, oldKid);
      // A relying party that cached the old key set fetches it again for the unknown kid.
      const jwks = createRemoteJWKSet(new URL(newer.config.serverMetadata().jwks_uri!));
      await jwtVerify(older.tokens.id_token!, jwks);
      const { protectedHeader } = await jwtVerify(newer.tokens.id_token!, jwks);
      assert.equal(protectedHeader.kid, newKid);
    });
  });
}
