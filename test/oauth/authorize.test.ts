/**
 * The authorization endpoint: redirect URI verification, request validation, the response
 * (SECURITY 1, 4, 6, 7, 9, 29, 40, 41). Through app.inject() and the cookie-jar browser.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createClient, createUser, type TestClient } from '../support/fixtures.ts';
import { Browser, authorize, authorizeUrl, codeRequest, isSignInPage, redirectLocation } from '../support/browser.ts';
import { digest } from '../../src/crypto/digest.ts';

const REDIRECT = 'https://app.example/cb';

for (const dialect of dialects()) {
  describe(`authorization endpoint (${dialect})`, () => {
    let t: TestApp;
    let client: TestClient;
    let other: TestClient;
    let alice: Browser;

    before(async () => {
      t = await startTestApp({ dialect });
      await createUser(t.deps, 'alice@example.com');
      client = await createClient(t.deps, { redirectUris: [REDIRECT] });
      other = await createClient(t.deps, { redirectUris: ['https://other.example/cb'] });
      // alice has approved `openid` for `client`, so requests for it answer straight away.
      alice = new Browser(t);
      const first = await authorize(t, codeRequest(client.clientId, REDIRECT).params, { email: 'alice@example.com', approve: true, browser: alice });
      assert.ok(first.searchParams.get('code'));
    });
    after(() => t.close());

    /** One request with alice's session; returns the response without following it. */
    function send(params: Record<string, string>, method: 'GET' | 'POST' = 'GET') {
      if (method === 'GET') return alice.get(authorizeUrl(params));
      return alice.post('/authorize', params);
    }

    function assertErrorPage(res: { statusCode: number; headers: Record<string, unknown>; body: string }, status = 400) {
      assert.equal(res.statusCode, status);
      assert.equal(res.headers.location, undefined);
      assert.match(String(res.headers['content-type']), /^text\/html/);
      assert.doesNotMatch(res.body, /tsc_/);
    }

    it('issues a code bound to the request, with state and iss, and stores it by digest (SECURITY 4)', async () => {
      const { params } = codeRequest(client.clientId, REDIRECT, { nonce: 'n-0S6', scope: 'openid' });
      const fresh = new Browser(t);
      const url = await authorize(t, params, { email: 'alice@example.com', browser: fresh });
      assert.equal(url.origin + url.pathname, REDIRECT);
      assert.equal(url.searchParams.get('state'), params.state);
      assert.equal(url.searchParams.get('iss'), t.issuer);
      const code = url.searchParams.get('code')!;
      assert.match(code, /^tsc_[A-Za-z0-9_-]{43}$/);
      const row = await t.deps.stores.tokens.findCode(digest(code));
      assert.ok(row, 'code row stored under its digest');
      assert.equal(row.appId, client.clientId);
      assert.equal(row.redirectUri, REDIRECT);
      assert.deepEqual(row.scopes, ['openid']);
      assert.equal(row.codeChallenge, params.code_challenge);
      assert.equal(row.nonce, 'n-0S6');
      assert.deepEqual(row.amr, ['pwd']);
      assert.equal(row.consumedAt, null);
      assert.equal(row.expiresAt - row.createdAt, t.config.ttl.authorizationCode);
      assert.equal(await t.deps.stores.tokens.findCode(code), undefined, 'the code itself is not the storage key');
    });

    describe('redirect URI verification (SECURITY 1)', () => {
      const variants = [
        'https://app.example/cb/',
        'HTTPS://APP.example/cb',
        'https://app.example:443/cb',
        'https://app.example/cb?x=1',
        'https://app.example/cb#f',
        'https://app.example/cb/../x',
        'https://app.example/%2e%2e/cb',
        'https://app.example.evil.net/cb',
        'https://app.example@evil.net/cb',
        'https://xn--pp-8ba.example/cb',
        'https://аpp.example/cb',
        'https://other.example/cb',
        'http://app.example/cb',
      ];
      for (const variant of variants) {
        it(`refuses ${variant} with an error page and no code`, async () => {
          const res = await send(codeRequest(client.clientId, variant).params);
          assertErrorPage(res);
        });
      }

      it('refuses an unknown client_id with an error page', async () => {
        assertErrorPage(await send(codeRequest('no-such-client', REDIRECT).params));
      });

      it('refuses a missing client_id with an error page', async () => {
        const { params } = codeRequest(client.clientId, REDIRECT);
        delete (params as Partial<typeof params>).client_id;
        assertErrorPage(await send(params));
      });

      it('a registered URI with a query matches only with the same query', async () => {
        const withQuery = await createClient(t.deps, { redirectUris: ['https://q.example/cb?tenant=a'] });
        const ok = await authorize(t, codeRequest(withQuery.clientId, 'https://q.example/cb?tenant=a').params, { email: 'alice@example.com', approve: true, browser: alice });
        assert.equal(ok.searchParams.get('tenant'), 'a', 'the registered query is kept');
        assert.ok(ok.searchParams.get('code'));
        assertErrorPage(await send(codeRequest(withQuery.clientId, 'https://q.example/cb?tenant=b').params));
      });

      it('with two URIs registered and none sent, shows an error page', async () => {
        const two = await createClient(t.deps, { redirectUris: ['https://two.example/a', 'https://two.example/b'] });
        const { params } = codeRequest(two.clientId, 'unused');
        delete (params as Partial<typeof params>).redirect_uri;
        assertErrorPage(await send(params));
      });

      it('an OpenID Connect request without redirect_uri gets an error page, even with one URI registered (OIDC Core §3.1.2.1)', async () => {
        const { params } = codeRequest(client.clientId, 'unused', { scope: 'openid profile' });
        delete (params as Partial<typeof params>).redirect_uri;
        const res = await send(params);
        assert.equal(res.statusCode, 400);
        assert.equal(res.headers.location, undefined);
        assert.match(res.body, /<h1>This link is broken<\/h1>/, 'in plain words first (issue 20)');
        assert.match(res.body, /<details class="developer-detail">[\s\S]*The redirect_uri is missing/, 'the protocol text stays, for the developer');
      });

      it('a plain OAuth request with one URI registered and none sent uses it and stores an empty redirect_uri on the code', async () => {
        const alice = (await t.deps.stores.users.findByEmail('alice@example.com'))!;
        await t.deps.stores.grants.approve(alice.id, client.clientId, ['orgs:read'], t.clock.now());
        const { params } = codeRequest(client.clientId, 'unused', { scope: 'orgs:read' });
        delete (params as Partial<typeof params>).redirect_uri;
        const res = await send(params);
        assert.equal(res.statusCode, 302);
        const url = new URL(String(res.headers.location));
        assert.equal(url.origin + url.pathname, REDIRECT);
        const row = await t.deps.stores.tokens.findCode(digest(url.searchParams.get('code')!));
        assert.equal(row?.redirectUri, '');
      });

      it('a loopback client registered as http://127.0.0.1/cb accepts any port, nothing else (RFC 8252 §7.3)', async () => {
        const p1 = await createClient(t.deps, { public: true, redirectUris: ['http://127.0.0.1/cb'] });
        for (const uri of ['http://127.0.0.1:51234/cb', 'http://127.0.0.1:8080/cb', 'http://127.0.0.1/cb']) {
          const url = await authorize(t, codeRequest(p1.clientId, uri).params, { email: 'alice@example.com', approve: true, browser: alice });
          assert.equal(url.origin + url.pathname, new URL(uri).origin + '/cb');
          assert.ok(url.searchParams.get('code'), uri);
        }
        for (const uri of ['http://localhost:51234/cb', 'http://127.0.0.1:51234/other', 'http://127.0.0.2:51234/cb', 'https://127.0.0.1:51234/cb', 'http://127.0.0.1:51234/cb/', 'http://127.0.0.1:0/cb', 'http://127.0.0.1:99999/cb']) {
          assertErrorPage(await send(codeRequest(p1.clientId, uri).params));
        }
      });
    });

    describe('request validation after the redirect is verified', () => {
      async function errorOf(params: Record<string, string>) {
        const res = await send(params);
        assert.equal(res.statusCode, 302, res.body);
        const url = new URL(String(res.headers.location));
        assert.equal(url.origin + url.pathname, REDIRECT);
        assert.equal(url.searchParams.get('code'), null, 'no code with an error');
        assert.equal(url.searchParams.get('iss'), t.issuer, 'iss on every error (SECURITY 4)');
        return url;
      }

      it('response_type=token, "code id_token", or missing is refused without a fragment token (SECURITY 6)', async () => {
        for (const responseType of ['token', 'id_token token', 'code id_token']) {
          const url = await errorOf(codeRequest(client.clientId, REDIRECT, { response_type: responseType }).params);
          assert.equal(url.searchParams.get('error'), 'unsupported_response_type');
          assert.equal(url.hash, '');
        }
        const { params } = codeRequest(client.clientId, REDIRECT);
        delete (params as Partial<typeof params>).response_type;
        assert.equal((await errorOf(params)).searchParams.get('error'), 'invalid_request');
      });

      it('response_mode other than query is refused', async () => {
        const url = await errorOf(codeRequest(client.clientId, REDIRECT, { response_mode: 'fragment' }).params);
        assert.equal(url.searchParams.get('error'), 'invalid_request');
      });

      it('PKCE: missing, plain, absent method, S512, 42 or 129 characters, +/= all give invalid_request with state and iss (SECURITY 9)', async () => {
        const base = codeRequest(client.clientId, REDIRECT).params;
        const good = base.code_challenge!;
        const cases: Record<string, string | undefined>[] = [
          { code_challenge: undefined },
          { code_challenge_method: 'plain' },
          { code_challenge_method: undefined },
          { code_challenge_method: 'S512' },
          { code_challenge: good.slice(0, 42) },
          { code_challenge: (good + good + good).slice(0, 129) },
          { code_challenge: good.slice(0, 40) + '+/=' },
          { code_challenge: 'A'.repeat(43) + 'B' },
        ];
        for (const change of cases) {
          const params: Record<string, string> = { ...base };
          for (const [k, v] of Object.entries(change)) {
            if (v === undefined) delete params[k];
            else params[k] = v;
          }
          const url = await errorOf(params);
          assert.equal(url.searchParams.get('error'), 'invalid_request', JSON.stringify(change));
          assert.equal(url.searchParams.get('state'), base.state);
        }
      });

      it('unknown scope, scope not allowed for the app, or no scope give invalid_scope', async () => {
        for (const scope of ['bogus', 'openid bogus', 'full_access', undefined]) {
          const params: Record<string, string> = codeRequest(client.clientId, REDIRECT).params;
          if (scope === undefined) delete params.scope;
          else params.scope = scope;
          assert.equal((await errorOf(params)).searchParams.get('error'), 'invalid_scope', String(scope));
        }
      });

      it('resource other than the API gives invalid_target; the API itself is accepted (RFC 8707)', async () => {
        const bad = await errorOf(codeRequest(client.clientId, REDIRECT, { resource: 'https://other.example' }).params);
        assert.equal(bad.searchParams.get('error'), 'invalid_target');
        const ok = await send(codeRequest(client.clientId, REDIRECT, { resource: `${t.issuer}/api` }).params);
        assert.ok(new URL(String(ok.headers.location)).searchParams.get('code'));
      });

      it('a repeated scope gives invalid_request at the redirect; a repeated redirect_uri or client_id an error page (SECURITY 40)', async () => {
        const { params } = codeRequest(client.clientId, REDIRECT);
        const query = new URLSearchParams(params);
        query.append('scope', 'profile');
        let res = await alice.get(`/authorize?${query}`);
        assert.equal(res.statusCode, 302);
        let url = new URL(String(res.headers.location));
        assert.equal(url.searchParams.get('error'), 'invalid_request');
        assert.equal(url.searchParams.get('state'), params.state);
        assert.equal(url.searchParams.get('iss'), t.issuer);

        for (const name of ['redirect_uri', 'client_id']) {
          const twice = new URLSearchParams(params);
          twice.append(name, name === 'client_id' ? client.clientId : REDIRECT);
          assertErrorPage(await alice.get(`/authorize?${twice}`));
        }
        // Across query and body: the same name in both places is a duplicate too.
        res = await alice.request({ method: 'POST', url: `/authorize?${new URLSearchParams({ scope: 'openid' })}`, form: params });
        url = new URL(String(res.headers.location));
        assert.equal(url.searchParams.get('error'), 'invalid_request');
        // qs bracket syntax is just an unknown name, never an array.
        res = await send({ ...params, 'client_id[]': 'x' });
        assert.ok(new URL(String(res.headers.location)).searchParams.get('code'));
      });

      it('state= empty gives no state; code_challenge= empty gives invalid_request (SECURITY 41)', async () => {
        const res = await send({ ...codeRequest(client.clientId, REDIRECT).params, state: '' });
        const url = new URL(String(res.headers.location));
        assert.ok(url.searchParams.get('code'));
        assert.equal(url.searchParams.has('state'), false);
        const empty = await errorOf({ ...codeRequest(client.clientId, REDIRECT).params, code_challenge: '' });
        assert.equal(empty.searchParams.get('error'), 'invalid_request');
      });
    });

    describe('state (SECURITY 29)', () => {
      it('echoes a unicode state byte-exact, on success and on error', async () => {
        const state = `a b+c/😀<"'>`;
        let res = await send({ ...codeRequest(client.clientId, REDIRECT).params, state });
        assert.equal(new URL(String(res.headers.location)).searchParams.get('state'), state);
        res = await send({ ...codeRequest(client.clientId, REDIRECT).params, state, scope: 'bogus' });
        assert.equal(new URL(String(res.headers.location)).searchParams.get('state'), state);
      });

      it('without state, the response has none', async () => {
        const { params } = codeRequest(client.clientId, REDIRECT);
        delete (params as Partial<typeof params>).state;
        const url = new URL(String((await send(params)).headers.location));
        assert.ok(url.searchParams.get('code'));
        assert.equal(url.searchParams.has('state'), false);
      });

      it('a 2 kB state succeeds', async () => {
        const state = 'x'.repeat(2048);
        const url = new URL(String((await send({ ...codeRequest(client.clientId, REDIRECT).params, state })).headers.location));
        assert.equal(url.searchParams.get('state'), state);
      });

      it('a 64 kB state gets 4xx (400/413/414/431), never 500, never a code', async () => {
        const state = 'x'.repeat(64 * 1024);
        for (const method of ['GET', 'POST'] as const) {
          const res = await send({ ...codeRequest(client.clientId, REDIRECT).params, state }, method);
          assert.ok([400, 413, 414, 431].includes(res.statusCode), `${method}: ${res.statusCode}`);
          assert.equal(res.headers.location, undefined);
        }
        const res = await send({ ...codeRequest(client.clientId, REDIRECT).params, state: 'x'.repeat(8 * 1024) }, 'POST');
        assertErrorPage(res);
      });

      it('a nonce of 1,024 characters is kept with the code; a longer one is invalid_request at the redirect URI, with no code', async () => {
        const longest = new URL(String((await send({ ...codeRequest(client.clientId, REDIRECT).params, nonce: 'n'.repeat(1024) })).headers.location));
        const code = longest.searchParams.get('code');
        assert.ok(code, longest.href);
        assert.equal((await t.deps.stores.tokens.findCode(digest(code)))?.nonce, 'n'.repeat(1024));
        const refused = new URL(String((await send({ ...codeRequest(client.clientId, REDIRECT).params, nonce: 'n'.repeat(1025) })).headers.location));
        assert.equal(refused.origin + refused.pathname, REDIRECT);
        assert.equal(refused.searchParams.get('error'), 'invalid_request');
        assert.equal(refused.searchParams.get('code'), null);
      });
    });

    describe('endpoint hygiene (SECURITY 7)', () => {
      it('a form POST behaves like GET and answers 303', async () => {
        const res = await send(codeRequest(client.clientId, REDIRECT).params, 'POST');
        assert.equal(res.statusCode, 303);
        assert.ok(new URL(String(res.headers.location)).searchParams.get('code'));
      });

      it('an unknown parameter is ignored', async () => {
        const res = await send({ ...codeRequest(client.clientId, REDIRECT).params, extra: 'foobar' });
        assert.ok(new URL(String(res.headers.location)).searchParams.get('code'));
      });

      it('Origin: evil gets no Access-Control-* headers, on GET, POST and OPTIONS', async () => {
        const headers = { origin: 'https://evil.example', 'access-control-request-method': 'POST' };
        for (const method of ['GET', 'POST', 'OPTIONS'] as const) {
          const res = await alice.request({ method, url: authorizeUrl(codeRequest(client.clientId, REDIRECT).params), headers });
          for (const name of Object.keys(res.headers)) assert.doesNotMatch(name, /^access-control-/i, method);
          assert.notEqual(res.statusCode, 500);
        }
      });

      it('other methods get 405', async () => {
        const res = await t.app.inject({ method: 'PUT', url: '/authorize' });
        assert.equal(res.statusCode, 405);
      });

      it('malformed percent-encoding is an error page, not a 500', async () => {
        const res = await t.app.inject({ method: 'GET', url: '/authorize?client_id=%E0%A4%A&redirect_uri=x' });
        assert.equal(res.statusCode, 400);
        assert.match(String(res.headers['content-type']), /^text\/html/);
      });

      it('error pages are HTML with the page CSP, no-store and frame protection (SECURITY 30)', async () => {
        const res = await send(codeRequest(other.clientId, REDIRECT).params);
        assertErrorPage(res);
        assert.match(String(res.headers['content-security-policy']), /frame-ancestors 'none'/);
        assert.match(String(res.headers['content-security-policy']), /object-src 'none'/);
        assert.equal(res.headers['x-frame-options'], 'DENY');
        assert.equal(res.headers['cache-control'], 'no-store');
        assert.match(res.body, /not registered/);
      });

      it('without a session, the sign-in page is shown with the client origin in form-action', async () => {
        const res = await new Browser(t).get(authorizeUrl(codeRequest(client.clientId, REDIRECT).params));
        assert.ok(isSignInPage(res));
        assert.equal(redirectLocation(res), undefined);
        assert.match(String(res.headers['content-security-policy']), /form-action 'self' https:\/\/app\.example;/);
        assert.equal(res.headers['referrer-policy'], 'no-referrer');
        // Every asset is same-origin.
        for (const m of res.body.matchAll(/(?:href|src)="([^"]*)"/g)) assert.match(m[1]!, /^\/(?!\/)/);
      });
    });
  });
}
