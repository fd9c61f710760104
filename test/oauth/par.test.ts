/**
 * Pushed Authorization Requests (RFC 9126, issue 18). oauth4webapi pushes as a confidential and
 * as a public client and runs the code flow to tokens through sign-in and approval (the pushed
 * request survives /authorize/resume); openid-client runs one flow. Then, on /par: a wrong secret
 * (401), invalid parameters answered directly as JSON (§2.3), a request_uri inside the push
 * (§2.1), no caching; and at /authorize: only client_id is read beside request_uri (§4), a
 * replayed, expired or another client's request_uri is an error page, 20 parallel redemptions
 * let exactly one proceed, a request_uri we did not issue still gets request_uri_not_supported,
 * an app that requires PAR is refused at its redirect URI without it, and REQUIRE_PAR=on does the
 * same for every app and says so in discovery. The janitor purges expired rows.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as oauth from 'oauth4webapi';
import * as oidc from 'openid-client';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createClient, createUser, type TestClient } from '../support/fixtures.ts';
import { postForm } from '../support/codes.ts';
import { Browser, authorize, authorizeUrl, codeRequest, isApprovalPage, isSignInPage, redirectLocation, type Response } from '../support/browser.ts';
import { digest } from '../../src/crypto/digest.ts';
import { SqlPurgeStore } from '../../src/persistence/stores/purge.ts';

const insecure = { [oauth.allowInsecureRequests]: true } as const;
const REDIRECT = 'https://app.example/cb';
const NATIVE = 'http://127.0.0.1/cb';
const REQUEST_URI = /^urn:ietf:params:oauth:request_uri:[A-Za-z0-9_-]{43}$/;
/** InvalidRequest's fixed public text, as the error page shows it. */
const INVALID_REQUEST = 'The request is missing a parameter, repeats one, or is otherwise malformed.';

/** An error page (SECURITY "error page"): HTML, not a redirect, saying invalid_request's sentence. */
function assertErrorPage(res: Response): void {
  assert.equal(res.statusCode, 400, res.body.slice(0, 500));
  assert.equal(res.headers.location, undefined);
  assert.match(res.headers['content-type'] as string, /text\/html/);
  assert.ok(res.body.includes(INVALID_REQUEST), res.body.slice(0, 2000));
}

for (const dialect of dialects()) {
  describe(`pushed authorization requests, RFC 9126 (${dialect})`, () => {
    let t: TestApp;
    let web: TestClient;
    let other: TestClient;
    let native: TestClient;
    let as: oauth.AuthorizationServer;

    before(async () => {
      t = await startTestApp({ dialect, listen: true });
      await createUser(t.deps, 'alice@example.com', 'Alice');
      web = await createClient(t.deps, { name: 'Web Service', redirectUris: [REDIRECT] });
      other = await createClient(t.deps, { name: 'Other Service', redirectUris: [REDIRECT] });
      native = await createClient(t.deps, { name: 'Desktop App', public: true, redirectUris: [NATIVE] });
      const issuer = new URL(t.issuer);
      as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...insecure }));
    });
    after(() => t.close());

    /** POST /par as `client` (Basic for a confidential one, client_id for a public one). */
    async function push(client: TestClient, params: Record<string, string>, headers: Record<string, string> = {}) {
      return postForm(t, '/par', client, params, headers);
    }
    /** Pushes a valid request; returns its request_uri and the PKCE verifier. */
    async function pushed(client: TestClient = web, extra: Record<string, string> = {}) {
      const { params, verifier } = codeRequest(client.clientId, client === native ? NATIVE : REDIRECT, extra);
      const res = await push(client, params);
      assert.equal(res.statusCode, 201, res.body);
      return { requestUri: (res.json() as { request_uri: string }).request_uri, verifier, params };
    }
    async function signedInBrowser(): Promise<Browser> {
      const browser = new Browser(t);
      assert.equal((await browser.signIn('alice@example.com')).statusCode, 303);
      return browser;
    }

    it('discovery advertises the endpoint, and no server-wide requirement by default', () => {
      assert.equal(as.pushed_authorization_request_endpoint, `${t.issuer}/par`);
      assert.equal(as.require_pushed_authorization_requests, undefined);
    });

    it('oauth4webapi, confidential client: push, sign in and approve through /authorize/resume, then tokens', async () => {
      const client: oauth.Client = { client_id: web.clientId };
      const auth = oauth.ClientSecretBasic(web.clientSecret!);
      const verifier = oauth.generateRandomCodeVerifier();
      const state = oauth.generateRandomState();
      const nonce = oauth.generateRandomNonce();
      const parameters = {
        redirect_uri: REDIRECT,
        response_type: 'code',
        scope: 'openid offline_access workitems:read',
        code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
        nonce,
      };
      const response = await oauth.pushedAuthorizationRequest(as, client, auth, parameters, insecure);
      assert.equal(response.status, 201);
      assert.match(response.headers.get('cache-control') ?? '', /no-store/);
      const result = await oauth.processPushedAuthorizationResponse(as, client, response);
      assert.match(result.request_uri, REQUEST_URI);
      assert.equal(result.expires_in, 60);

      // Only the digest is stored, and never the client's credentials.
      const row = await t.deps.database.db.selectFrom('pushed_requests').selectAll().where('id', '=', digest(result.request_uri)).executeTakeFirstOrThrow();
      assert.equal(row.app_id, web.clientId);
      assert.ok(!row.params.includes(web.clientSecret!));
      assert.equal(JSON.parse(row.params).state, state);

      // Signed out: the sign-in page, then /authorize/resume, then the approval page.
      const callback = await authorize(t, { client_id: web.clientId, request_uri: result.request_uri }, { email: 'alice@example.com', approve: true });
      assert.equal(callback.origin + callback.pathname, REDIRECT);
      const params = oauth.validateAuthResponse(as, client, callback, state);
      const tokens = await oauth.processAuthorizationCodeResponse(
        as,
        client,
        await oauth.authorizationCodeGrantRequest(as, client, auth, params, REDIRECT, verifier, insecure),
        { expectedNonce: nonce, requireIdToken: true },
      );
      assert.equal(tokens.scope, 'openid offline_access workitems:read');
      assert.ok(tokens.refresh_token?.startsWith('tsr_'));
      assert.equal(oauth.getValidatedIdTokenClaims(tokens)?.aud, web.clientId);
    });

    it('oauth4webapi, public client (client_id only): the pushed request ends in tokens', async () => {
      const client: oauth.Client = { client_id: native.clientId };
      const verifier = oauth.generateRandomCodeVerifier();
      const state = oauth.generateRandomState();
      const response = await oauth.pushedAuthorizationRequest(
        as,
        client,
        oauth.None(),
        { redirect_uri: NATIVE, response_type: 'code', scope: 'workitems:read', code_challenge: await oauth.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', state },
        insecure,
      );
      const { request_uri } = await oauth.processPushedAuthorizationResponse(as, client, response);
      const callback = await authorize(t, { client_id: native.clientId, request_uri }, { browser: await signedInBrowser(), approve: true });
      const params = oauth.validateAuthResponse(as, client, callback, state);
      const tokens = await oauth.processAuthorizationCodeResponse(as, client, await oauth.authorizationCodeGrantRequest(as, client, oauth.None(), params, NATIVE, verifier, insecure));
      assert.equal(tokens.scope, 'workitems:read');
    });

    it('openid-client: buildAuthorizationUrlWithPAR, then the code grant', async () => {
      const config = await oidc.discovery(new URL(t.issuer), web.clientId, web.clientSecret, undefined, { execute: [oidc.allowInsecureRequests] });
      const verifier = oidc.randomPKCECodeVerifier();
      const state = oidc.randomState();
      const url = await oidc.buildAuthorizationUrlWithPAR(config, {
        redirect_uri: REDIRECT,
        scope: 'openid orgs:read',
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
      });
      assert.equal(url.origin + url.pathname, `${t.issuer}/authorize`);
      assert.deepEqual([...url.searchParams.keys()].sort(), ['client_id', 'request_uri']);
      const callback = await authorize(t, Object.fromEntries(url.searchParams), { browser: await signedInBrowser(), approve: true });
      const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state, idTokenExpected: true });
      assert.equal(tokens.scope, 'openid orgs:read');
    });

    it('§4: only client_id is read beside request_uri; other front-channel parameters are ignored', async () => {
      // A scope alice has not granted this app yet, so the approval page is asked for.
      const { requestUri, params } = await pushed(web, { scope: 'openid email' });
      const browser = await signedInBrowser();
      const res = await browser.get(
        authorizeUrl({ client_id: web.clientId, request_uri: requestUri, redirect_uri: 'https://evil.example/cb', scope: 'openid full_access', state: 'front', prompt: 'none' }),
      );
      // prompt=none would have answered consent_required at once; the pushed request asks.
      assert.ok(isApprovalPage(res), res.body.slice(0, 500));
      assert.ok(!res.body.includes('full_access'));
      const callback = new URL(redirectLocation(await browser.submit(res, /^\/interaction\/[^/]+\/decision$/, { decision: 'approve' }))!);
      assert.equal(callback.origin + callback.pathname, REDIRECT);
      assert.equal(callback.searchParams.get('state'), params.state);
      assert.ok(callback.searchParams.get('code'));
    });

    it('a replayed request_uri is an error page, signed in or not', async () => {
      const { requestUri } = await pushed();
      const browser = await signedInBrowser();
      const first = await browser.get(authorizeUrl({ client_id: web.clientId, request_uri: requestUri }));
      assert.ok(isApprovalPage(first) || redirectLocation(first)?.startsWith(REDIRECT), first.body.slice(0, 500));
      assertErrorPage(await browser.get(authorizeUrl({ client_id: web.clientId, request_uri: requestUri })));
      assertErrorPage(await new Browser(t).get(authorizeUrl({ client_id: web.clientId, request_uri: requestUri })));
    });

    it('a request_uri lives 60 s: taken at 59 s, refused at 60 s', async () => {
      const early = await pushed();
      const late = await pushed();
      const expiresAt = async (requestUri: string) =>
        (await t.deps.database.db.selectFrom('pushed_requests').select('expires_at').where('id', '=', digest(requestUri)).executeTakeFirstOrThrow()).expires_at;
      const at = (second: number) => t.clock.toStartOf(second);
      const row = await t.deps.database.db.selectFrom('pushed_requests').select(['created_at', 'expires_at']).where('id', '=', digest(early.requestUri)).executeTakeFirstOrThrow();
      assert.equal(row.expires_at - row.created_at, 60);
      at((await expiresAt(early.requestUri)) - 1);
      assert.ok(isSignInPage(await new Browser(t).get(authorizeUrl({ client_id: web.clientId, request_uri: early.requestUri }))));
      at(await expiresAt(late.requestUri));
      assertErrorPage(await new Browser(t).get(authorizeUrl({ client_id: web.clientId, request_uri: late.requestUri })));
    });

    it("another client's request_uri is an error page, and does not use it up", async () => {
      const { requestUri } = await pushed(web);
      assertErrorPage(await new Browser(t).get(authorizeUrl({ client_id: other.clientId, request_uri: requestUri })));
      const anonymous = await new Browser(t).get(authorizeUrl({ request_uri: requestUri }));
      assert.deepEqual([anonymous.statusCode, anonymous.headers.location], [400, undefined]);
      assert.ok(isSignInPage(await new Browser(t).get(authorizeUrl({ client_id: web.clientId, request_uri: requestUri }))), 'its own client still can');
    });

    it('one of ours never issued is an error page; a foreign request_uri still gets request_uri_not_supported', async () => {
      const made = 'urn:ietf:params:oauth:request_uri:' + 'A'.repeat(43);
      assertErrorPage(await new Browser(t).get(authorizeUrl({ client_id: web.clientId, request_uri: made })));
      const { params } = codeRequest(web.clientId, REDIRECT, { request_uri: 'https://app.example/request.jwt' });
      const url = await authorize(t, params, { browser: await signedInBrowser() });
      assert.equal(url.searchParams.get('error'), 'request_uri_not_supported');
      assert.equal(url.searchParams.get('iss'), t.issuer);
    });

    it('20 parallel redemptions of one request_uri: exactly one proceeds', async () => {
      const { requestUri } = await pushed();
      const browser = await signedInBrowser();
      const url = authorizeUrl({ client_id: web.clientId, request_uri: requestUri });
      const answers = await Promise.all(Array.from({ length: 20 }, () => browser.get(url)));
      const proceeded = answers.filter((res) => isApprovalPage(res) || redirectLocation(res)?.startsWith(REDIRECT));
      const refused = answers.filter((res) => res.statusCode === 400 && res.headers.location === undefined && res.body.includes(INVALID_REQUEST));
      assert.deepEqual([proceeded.length, refused.length], [1, 19], answers.map((r) => r.statusCode).join(' '));
    });

    it('a confidential client with a wrong secret, or none: 401 invalid_client with WWW-Authenticate, nothing stored', async () => {
      const before = await t.deps.database.db.selectFrom('pushed_requests').select('id').execute();
      const { params } = codeRequest(web.clientId, REDIRECT);
      const wrong = await push({ ...web, clientSecret: 'tss_' + 'x'.repeat(43) }, params);
      assert.deepEqual([wrong.statusCode, wrong.json().error], [401, 'invalid_client']);
      assert.match(wrong.headers['www-authenticate'] as string, /^Basic/);
      assert.match(wrong.headers['cache-control'] as string, /no-store/);
      const none = await push(native, { ...params, client_id: web.clientId });
      assert.deepEqual([none.statusCode, none.json().error], [401, 'invalid_client']);
      const unknown = await push(native, { ...params, client_id: 'f'.repeat(32) });
      assert.deepEqual([unknown.statusCode, unknown.json().error], [401, 'invalid_client']);
      assert.equal((await t.deps.database.db.selectFrom('pushed_requests').select('id').execute()).length, before.length);
    });

    it('§2.3: invalid parameters are answered directly as JSON, with the code /authorize would use', async () => {
      const cases: [Record<string, string>, string][] = [
        [{ redirect_uri: 'https://evil.example/cb' }, 'invalid_request'],
        [{ redirect_uri: REDIRECT + '/' }, 'invalid_request'],
        [{ scope: 'openid nonsense' }, 'invalid_scope'],
        [{ scope: 'full_access' }, 'invalid_scope'],
        [{ code_challenge: '' }, 'invalid_request'],
        [{ code_challenge_method: 'plain' }, 'invalid_request'],
        [{ response_type: 'token' }, 'unsupported_response_type'],
        [{ response_mode: 'fragment' }, 'invalid_request'],
        [{ prompt: 'none login' }, 'invalid_request'],
        [{ resource: 'https://elsewhere.example/' }, 'invalid_target'],
        [{ id_token_hint: 'not.a.token' }, 'invalid_request'],
        [{ state: 'x'.repeat(5000) }, 'invalid_request'],
        [{ nonce: 'n'.repeat(1025) }, 'invalid_request'],
        [{ request: 'eyJhbGciOiJub25lIn0.e30.' }, 'request_not_supported'],
      ];
      for (const [change, error] of cases) {
        const { params } = codeRequest(web.clientId, REDIRECT, change);
        const res = await push(web, Object.fromEntries(Object.entries(params).filter(([, v]) => v !== '')));
        assert.equal(res.statusCode, 400, `${JSON.stringify(change)}: ${res.body}`);
        assert.equal(res.json().error, error, JSON.stringify(change));
        assert.equal(res.headers.location, undefined);
        assert.match(res.headers['cache-control'] as string, /no-store/);
      }
      const repeated = await t.app.inject({
        method: 'POST',
        url: '/par',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${web.clientId}:${web.clientSecret}`).toString('base64')}` },
        payload: new URLSearchParams([...Object.entries(codeRequest(web.clientId, REDIRECT).params), ['scope', 'openid']]).toString(),
      });
      assert.deepEqual([repeated.statusCode, repeated.json().error], [400, 'invalid_request']);
    });

    it('§2.1: a request_uri inside the push is invalid_request', async () => {
      const { requestUri } = await pushed();
      for (const value of [requestUri, 'https://app.example/request.jwt']) {
        const { params } = codeRequest(web.clientId, REDIRECT, { request_uri: value });
        const res = await push(web, params);
        assert.deepEqual([res.statusCode, res.json().error], [400, 'invalid_request']);
      }
    });

    it('/par takes only a form POST, and no credentials in the query', async () => {
      assert.equal((await t.app.inject({ method: 'GET', url: '/par' })).statusCode, 405);
      const json = await t.app.inject({ method: 'POST', url: '/par', headers: { 'content-type': 'application/json' }, payload: JSON.stringify(codeRequest(native.clientId, NATIVE).params) });
      assert.deepEqual([json.statusCode, json.json().error], [400, 'invalid_request']);
      const { params } = codeRequest(native.clientId, NATIVE);
      const query = await postForm(t, `/par?client_secret=x`, native, params);
      assert.deepEqual([query.statusCode, query.json().error], [400, 'invalid_request']);
    });

    it('an app that requires PAR: a front-channel request gets invalid_request at its redirect URI after sign-in; a pushed one proceeds', async () => {
      const strict = await createClient(t.deps, { name: 'Strict Service', redirectUris: [REDIRECT] });
      await t.deps.stores.apps.update({ ...strict.app, requirePar: true }, t.clock.now());
      t.deps.clients.invalidate(strict.clientId);
      const { params } = codeRequest(strict.clientId, REDIRECT);
      // SECURITY 3: nothing is said before the person signs in.
      assert.ok(isSignInPage(await new Browser(t).get(authorizeUrl(params))));
      const url = await authorize(t, params, { email: 'alice@example.com' });
      assert.equal(url.origin + url.pathname, REDIRECT);
      assert.equal(url.searchParams.get('error'), 'invalid_request');
      assert.equal(url.searchParams.get('state'), params.state);
      assert.equal(url.searchParams.get('iss'), t.issuer);
      assert.equal(url.searchParams.get('code'), null);
      // A wrong redirect URI is still an error page, never a redirect.
      const wrong = await new Browser(t).get(authorizeUrl({ ...params, redirect_uri: 'https://evil.example/cb' }));
      assert.equal(wrong.statusCode, 400);
      assert.equal(wrong.headers.location, undefined);

      const { requestUri } = await pushed(strict);
      const callback = await authorize(t, { client_id: strict.clientId, request_uri: requestUri }, { browser: await signedInBrowser(), approve: true });
      assert.ok(callback.searchParams.get('code'), callback.toString());
    });

    it('the janitor purges expired pushed requests, used or not, and keeps live ones', async () => {
      const used = await pushed();
      assert.ok(isSignInPage(await new Browser(t).get(authorizeUrl({ client_id: web.clientId, request_uri: used.requestUri }))));
      const unused = await pushed();
      t.clock.advance(61);
      const live = await pushed();
      const purge = new SqlPurgeStore(t.deps.database.db);
      const ids = async () => (await t.deps.database.db.selectFrom('pushed_requests').select('id').execute()).map((r) => r.id);
      const now = t.clock.now();
      await purge.purge('pushed_requests', now, 10000);
      const left = await ids();
      assert.ok(left.includes(digest(live.requestUri)), 'the live one stays');
      assert.ok(!left.includes(digest(used.requestUri)) && !left.includes(digest(unused.requestUri)), 'expired ones go, used or not');
      await purge.purge('pushed_requests', now + 61, 10000);
      assert.deepEqual(await ids(), []);
    });
  });

  describe(`/par under the client-authentication throttle (${dialect})`, () => {
    let t: TestApp;
    let web: TestClient;
    let other: TestClient;

    before(async () => {
      t = await startTestApp({ dialect, env: { THROTTLE_CLIENT_AUTH: '2/60' } });
      web = await createClient(t.deps, { name: 'Web Service', redirectUris: [REDIRECT] });
      other = await createClient(t.deps, { name: 'Other Service', redirectUris: [REDIRECT] });
    });
    after(() => t.close());

    const wrongSecret = (client: TestClient): TestClient => ({ ...client, clientSecret: 'tss_' + 'x'.repeat(43) });

    it('secret guesses at /par are throttled as at /token, and the two count together; nothing is stored past the limit', async () => {
      const { params } = codeRequest(web.clientId, REDIRECT);
      for (let i = 0; i < 2; i++) assert.equal((await postForm(t, '/par', wrongSecret(web), params)).statusCode, 401);
      const throttled = await postForm(t, '/par', web, params);
      assert.equal(throttled.statusCode, 429, throttled.body);
      assert.ok(Number(throttled.headers['retry-after']) >= 1);
      assert.equal((await postForm(t, '/token', web, { grant_type: 'authorization_code', code: 'tsc_x', code_verifier: 'v'.repeat(43) })).statusCode, 429);
      // Guesses at /token throttle /par for that client too.
      const { params: otherParams } = codeRequest(other.clientId, REDIRECT);
      for (let i = 0; i < 2; i++) assert.equal((await postForm(t, '/token', wrongSecret(other), { grant_type: 'authorization_code', code: 'tsc_x', code_verifier: 'v'.repeat(43) })).statusCode, 401);
      assert.equal((await postForm(t, '/par', other, otherParams)).statusCode, 429);
      assert.deepEqual(await t.deps.database.db.selectFrom('pushed_requests').select('id').execute(), []);
    });
  });

  describe(`REQUIRE_PAR=on (${dialect})`, () => {
    let t: TestApp;
    let web: TestClient;

    before(async () => {
      t = await startTestApp({ dialect, listen: true, env: { REQUIRE_PAR: 'on' } });
      await createUser(t.deps, 'alice@example.com', 'Alice');
      web = await createClient(t.deps, { redirectUris: [REDIRECT] });
    });
    after(() => t.close());

    it('discovery says require_pushed_authorization_requests: true', async () => {
      const issuer = new URL(t.issuer);
      const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...insecure }));
      assert.equal(as.require_pushed_authorization_requests, true);
    });

    it('every front-channel request is refused at the redirect URI; a pushed one ends in a code', async () => {
      const { params } = codeRequest(web.clientId, REDIRECT);
      const refused = await authorize(t, params, { email: 'alice@example.com' });
      assert.deepEqual([refused.searchParams.get('error'), refused.searchParams.get('state')], ['invalid_request', params.state]);
      const res = await postForm(t, '/par', web, codeRequest(web.clientId, REDIRECT).params);
      assert.equal(res.statusCode, 201, res.body);
      const callback = await authorize(t, { client_id: web.clientId, request_uri: res.json().request_uri }, { email: 'alice@example.com', approve: true });
      assert.ok(callback.searchParams.get('code'), callback.toString());
    });
  });
}
