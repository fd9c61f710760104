/**
 * `request` and `request_uri` at /authorize (OIDC Core §6.1, §6.2, §3.1.2.6): Tessera takes no
 * Request Objects, so either one is refused with `request_not_supported` /
 * `request_uri_not_supported` at the verified redirect URI, with `state` and `iss`, like every
 * other authorization error (after sign-in, SECURITY 3); never silently ignored (no code, no
 * approval page). Before the client and redirect URI are verified it is an error page, as for
 * every other error. Discovery says neither is supported.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createClient, createUser, type TestClient } from '../support/fixtures.ts';
import { Browser, authorize, authorizeUrl, codeRequest, redirectLocation } from '../support/browser.ts';

const REDIRECT = 'https://app.example/cb';
/** An unsigned Request Object (alg none) asking for another redirect URI and scope: it must not be acted on, nor ignored. */
const REQUEST_OBJECT = [
  Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url'),
  Buffer.from(JSON.stringify({ redirect_uri: 'https://evil.example/cb', scope: 'openid full_access' })).toString('base64url'),
  '',
].join('.');

const CASES = [
  { param: 'request', value: REQUEST_OBJECT, error: 'request_not_supported' },
  { param: 'request_uri', value: 'https://app.example/request.jwt', error: 'request_uri_not_supported' },
  { param: 'request_uri', value: 'urn:ietf:params:oauth:request_uri:abc', error: 'request_uri_not_supported' },
] as const;

for (const dialect of dialects()) {
  describe(`authorization requests with request or request_uri (${dialect})`, () => {
    let t: TestApp;
    let client: TestClient;

    before(async () => {
      t = await startTestApp({ dialect });
      await createUser(t.deps, 'alice@example.com', 'Alice');
      client = await createClient(t.deps, { redirectUris: [REDIRECT] });
    });
    after(() => t.close());

    function assertRefused(url: URL, error: string, state: string): void {
      assert.equal(url.origin + url.pathname, REDIRECT);
      assert.equal(url.searchParams.get('error'), error, url.toString());
      assert.equal(url.searchParams.get('state'), state);
      assert.equal(url.searchParams.get('iss'), t.issuer);
      assert.equal(url.searchParams.get('code'), null);
    }

    it('without a session: the sign-in page, then the error at the redirect URI with state and iss', async () => {
      for (const c of CASES) {
        const { params } = codeRequest(client.clientId, REDIRECT, { [c.param]: c.value });
        const url = await authorize(t, params, { email: 'alice@example.com' });
        assertRefused(url, c.error, params.state!);
      }
    });

    it('signed in, by GET and by form POST: the error at once, no approval page, no code, no grant', async () => {
      const browser = new Browser(t);
      assert.equal((await browser.signIn('alice@example.com')).statusCode, 303);
      for (const c of CASES) {
        const { params } = codeRequest(client.clientId, REDIRECT, { [c.param]: c.value });
        const got = await browser.get(authorizeUrl(params));
        assert.equal(got.statusCode, 302, got.body.slice(0, 500));
        assertRefused(new URL(redirectLocation(got)!), c.error, params.state!);
        const posted = await browser.post('/authorize', params);
        assert.equal(posted.statusCode, 303, posted.body.slice(0, 500));
        assertRefused(new URL(redirectLocation(posted)!), c.error, params.state!);
      }
      const alice = await t.deps.stores.users.findByEmail('alice@example.com');
      assert.equal(await t.deps.stores.grants.findLive(alice!.id, client.clientId, t.clock.now()), undefined, 'nothing was granted');
      // The same request without them goes on to the approval page (the refusal is theirs alone).
      const { params } = codeRequest(client.clientId, REDIRECT);
      const plain = await browser.get(authorizeUrl(params));
      assert.equal(redirectLocation(plain), undefined, 'no redirect: the approval page');
      assert.equal(plain.statusCode, 200);
    });

    it('an unknown client or an unregistered redirect URI is still an error page, never a redirect', async () => {
      for (const c of CASES) {
        for (const [clientId, redirectUri] of [['no-such-client', REDIRECT], [client.clientId, 'https://evil.example/cb']]) {
          const { params } = codeRequest(clientId!, redirectUri!, { [c.param]: c.value });
          const res = await t.app.inject({ method: 'GET', url: authorizeUrl(params) });
          assert.equal(res.statusCode, 400, `${c.param} ${clientId} ${redirectUri}`);
          assert.equal(res.headers.location, undefined);
        }
      }
    });

    it('discovery says request and request_uri are not supported', async () => {
      for (const path of ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server']) {
        const meta = (await t.app.inject({ method: 'GET', url: path })).json();
        assert.equal(meta.request_parameter_supported, false, path);
        assert.equal(meta.request_uri_parameter_supported, false, path);
      }
    });
  });
}
