/** Dynamic Client Registration (RFC 7591 §3, RFC 7592 §2) at /register, when the operator enabled it. */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createUser } from '../support/fixtures.ts';
import { exchangeCode, issueTestCode } from '../support/codes.ts';
import { digest } from '../../src/crypto/digest.ts';
import { randomToken } from '../../src/crypto/random.ts';

const METADATA = {
  client_name: 'Chat Bot',
  redirect_uris: ['https://bot.example/cb'],
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
  scope: 'openid orgs:read offline_access',
  client_uri: 'https://bot.example/',
};

for (const dialect of dialects()) {
  describe(`dynamic client registration (${dialect})`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp({ dialect, env: { DYNAMIC_REGISTRATION: 'on' } });
    });
    after(() => t.close());

    async function initialToken(expiresAt: number | null = null): Promise<string> {
      const token = randomToken('initialAccessToken');
      await t.deps.stores.apps.createRegistrationToken({ digest: digest(token), kind: 'initial', appId: null, expiresAt }, t.clock.now());
      return token;
    }

    function register(token: string | undefined, body: unknown) {
      return t.app.inject({
        method: 'POST',
        url: '/register',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        payload: JSON.stringify(body),
      });
    }

    it('is advertised in metadata', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/.well-known/openid-configuration' });
      assert.equal(res.json().registration_endpoint, `${t.issuer}/register`);
    });

    it('registers a confidential client with an initial access token (single use); the client works at /token', async () => {
      const token = await initialToken();
      const res = await register(token, { ...METADATA, client_id: 'chosen', verified: true });
      assert.equal(res.statusCode, 201, res.body);
      assert.equal(res.headers['cache-control'], 'no-store');
      const body = res.json();
      assert.notEqual(body.client_id, 'chosen');
      assert.match(body.client_secret, /^tss_[A-Za-z0-9_-]{43}$/);
      assert.equal(body.client_secret_expires_at, 0);
      assert.equal(body.token_endpoint_auth_method, 'client_secret_basic');
      assert.equal(body.scope, 'openid orgs:read offline_access');
      assert.equal(body.registration_client_uri, `${t.issuer}/register/${body.client_id}`);
      const app = await t.deps.stores.apps.find(body.client_id);
      assert.equal(app?.verified, false);
      assert.equal(app?.ownerUserId, null);

      const again = await register(token, METADATA);
      assert.equal(again.statusCode, 401);
      assert.equal(again.json().error, 'invalid_token');

      const user = await createUser(t.deps, 'dcr@example.com');
      const client = { app: app!, clientId: body.client_id as string, clientSecret: body.client_secret as string };
      const issued = await issueTestCode(t.deps, { client, user, scopes: ['openid'] });
      assert.equal((await exchangeCode(t, client, issued)).statusCode, 200);
    });

    it('refuses a missing, unknown or expired initial access token with 401', async () => {
      assert.equal((await register(undefined, METADATA)).statusCode, 401);
      assert.equal((await register(randomToken('initialAccessToken'), METADATA)).statusCode, 401);
      const expired = await initialToken(t.clock.now() - 1);
      const res = await register(expired, METADATA);
      assert.equal(res.statusCode, 401);
      assert.match(String(res.headers['www-authenticate']), /^Bearer error="invalid_token"/);
    });

    it('applies the portal validation: bad redirect URIs → invalid_redirect_uri, other bad metadata → invalid_client_metadata', async () => {
      const token = await initialToken();
      for (const uri of ['https://a.example/cb#x', 'http://a.example/cb', 'https://*.a.example/cb', 'javascript:alert(1)', 'myapp:/cb', '/cb', 'http://localhost.evil.com/cb']) {
        const res = await register(token, { ...METADATA, redirect_uris: [uri] });
        assert.equal(res.statusCode, 400, uri);
        assert.equal(res.json().error, 'invalid_redirect_uri', uri);
      }
      for (const bad of [{ logo_uri: 'https://evil.example/l.png' }, { client_uri: 'http://bot.example/' }, { grant_types: ['client_credentials'] }, { response_types: ['token'] }, { scope: 'openid admin' }, { token_endpoint_auth_method: 'private_key_jwt' }]) {
        const res = await register(token, { ...METADATA, ...bad });
        assert.equal(res.statusCode, 400, JSON.stringify(bad));
        assert.equal(res.json().error, 'invalid_client_metadata', JSON.stringify(bad));
      }
      // Failed attempts did not spend the token.
      assert.equal((await register(token, METADATA)).statusCode, 201);
    });

    it('registers a public client with token_endpoint_auth_method none and no secret', async () => {
      const res = await register(await initialToken(), { ...METADATA, token_endpoint_auth_method: 'none', redirect_uris: ['com.example.bot:/cb'] });
      assert.equal(res.statusCode, 201, res.body);
      assert.equal(res.json().client_secret, undefined);
      assert.equal(res.json().token_endpoint_auth_method, 'none');
    });

    it('accepts, stores and returns post_logout_redirect_uris (RP-Initiated Logout §3.1); none by default; a bad scheme or a fragment is refused', async () => {
      const uris = ['https://bot.example/bye', 'http://127.0.0.1:8080/bye'];
      const res = await register(await initialToken(), { ...METADATA, post_logout_redirect_uris: uris });
      assert.equal(res.statusCode, 201, res.body);
      assert.deepEqual(res.json().post_logout_redirect_uris, uris);
      assert.deepEqual((await t.deps.stores.apps.find(res.json().client_id))?.postLogoutRedirectUris, uris);
      const plain = await register(await initialToken(), METADATA);
      assert.deepEqual(plain.json().post_logout_redirect_uris, []);

      const token = await initialToken();
      for (const bad of ['https://bot.example/bye#top', 'http://bot.example/bye', 'javascript:alert(1)', 'https://*.bot.example/bye', '/bye', 'HTTPS://bot.example/bye']) {
        const refused = await register(token, { ...METADATA, post_logout_redirect_uris: [bad] });
        assert.equal(refused.statusCode, 400, bad);
        assert.equal(refused.json().error, 'invalid_client_metadata', bad);
        assert.match(refused.json().error_description, /^post_logout_redirect_uris: /, bad);
      }
      assert.equal((await register(token, { ...METADATA, post_logout_redirect_uris: 'https://bot.example/bye' })).statusCode, 400, 'a string, not an array');
      assert.equal((await register(token, METADATA)).statusCode, 201, 'the refusals did not spend the token');
    });

    it('RFC 7592: reads, updates and deletes the configuration with the registration access token only', async () => {
      const created = (await register(await initialToken(), METADATA)).json();
      const other = (await register(await initialToken(), METADATA)).json();
      const path = `/register/${created.client_id}`;
      const as = (token: string, method: 'GET' | 'PUT' | 'DELETE', body?: unknown) =>
        t.app.inject({ method, url: path, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { payload: JSON.stringify(body) } : {}) });

      const read = await as(created.registration_access_token, 'GET');
      assert.equal(read.statusCode, 200);
      assert.equal(read.json().client_name, 'Chat Bot');
      assert.equal(read.json().client_secret, undefined);
      assert.equal((await as(other.registration_access_token, 'GET')).statusCode, 401);

      const put = await as(created.registration_access_token, 'PUT', { ...METADATA, client_id: created.client_id, client_name: 'Chat Bot 2', scope: 'openid workitems:read' });
      assert.equal(put.statusCode, 200, put.body);
      assert.deepEqual((await t.deps.stores.apps.find(created.client_id))?.scopes, ['openid', 'workitems:read']);
      const bad = await as(created.registration_access_token, 'PUT', { ...METADATA, client_id: created.client_id, redirect_uris: ['http://evil.example/cb'] });
      assert.equal(bad.json().error, 'invalid_redirect_uri');
      const wrongId = await as(created.registration_access_token, 'PUT', { ...METADATA, client_id: other.client_id });
      assert.equal(wrongId.statusCode, 400);

      assert.equal((await as(other.registration_access_token, 'DELETE')).statusCode, 401);
      assert.equal((await as(created.registration_access_token, 'DELETE')).statusCode, 204);
      assert.equal(await t.deps.stores.apps.find(created.client_id), undefined);
      assert.equal((await as(created.registration_access_token, 'GET')).statusCode, 401);
    });
  });

  describe(`dynamic client registration off (${dialect})`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp({ dialect });
    });
    after(() => t.close());

    it('is neither advertised nor served by default', async () => {
      const meta = await t.app.inject({ method: 'GET', url: '/.well-known/oauth-authorization-server' });
      assert.equal(meta.json().registration_endpoint, undefined);
      const res = await t.app.inject({ method: 'POST', url: '/register', headers: { 'content-type': 'application/json' }, payload: '{}' });
      assert.equal(res.statusCode, 404);
    });
  });
}
