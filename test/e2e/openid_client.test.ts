/**
 * The whole path as a third-party service sees it, driven by openid-client (a certified relying-
 * party library) over real HTTP: discovery, code + PKCE, ID token validation, userinfo, the API,
 * refresh rotation, reuse detection, introspection and revocation. The person's part (sign-in and
 * approval) is played by the cookie-jar browser over the same server.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createClient, createUser, type TestClient } from '../support/fixtures.ts';
import { authorize, Browser, isApprovalPage, redirectLocation } from '../support/browser.ts';
import type { User } from '../../src/domain/users.ts';

const REDIRECT = 'https://ci.example/callback';
const SCOPE = 'openid profile email offline_access orgs:read';

for (const dialect of dialects()) {
  describe(`openid-client end to end (${dialect})`, () => {
    let t: TestApp;
    let alice: User;
    let service: TestClient;
    let config: oidc.Configuration;

    before(async () => {
      t = await startTestApp({ dialect, listen: true });
      alice = await createUser(t.deps, 'alice@example.com', 'Alice Liddell');
      await t.deps.stores.organizations.create({ slug: 'wonderland', name: 'Wonderland', ownerUserId: alice.id }, t.clock.now());
      service = await createClient(t.deps, { name: 'CI Dashboard', redirectUris: [REDIRECT] });
      config = await oidc.discovery(new URL(t.issuer), service.clientId, service.clientSecret, undefined, {
        execute: [oidc.allowInsecureRequests],
      });
    });
    after(() => t.close());

    /** Runs the flow the way a service does and returns openid-client's token response. */
    async function connect(browser = new Browser(t)) {
      const verifier = oidc.randomPKCECodeVerifier();
      const state = oidc.randomState();
      const nonce = oidc.randomNonce();
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: REDIRECT,
        scope: SCOPE,
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
        nonce,
      });
      const callback = await authorize(t, Object.fromEntries(url.searchParams), { browser, email: 'alice@example.com', approve: true });
      assert.equal(callback.origin + callback.pathname, REDIRECT);
      return oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce, idTokenExpected: true });
    }

    async function api(path: string, accessToken: string) {
      return fetch(`${t.issuer}/api/v1${path}`, { headers: { authorization: `Bearer ${accessToken}` } });
    }

    it('discovers the issuer with the metadata a certified client needs', () => {
      const meta = config.serverMetadata();
      assert.equal(meta.issuer, t.issuer);
      assert.equal(meta.authorization_response_iss_parameter_supported, true);
      assert.deepEqual(meta.code_challenge_methods_supported, ['S256']);
    });

    it('gets validated tokens, userinfo and the API, refreshes with rotation, and loses everything on reuse', async () => {
      const tokens = await connect();
      const claims = tokens.claims();
      assert.ok(claims);
      assert.equal(claims.sub, alice.id);
      assert.equal(claims.iss, t.issuer);
      assert.equal(claims.aud, service.clientId);
      assert.equal(typeof claims.auth_time, 'number');
      assert.ok(tokens.refresh_token?.startsWith('tsr_'));
      assert.equal(tokens.token_type.toLowerCase(), 'bearer');
      assert.equal(tokens.scope, SCOPE);

      const info = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
      assert.deepEqual({ sub: info.sub, name: info.name, email: info.email }, { sub: alice.id, name: 'Alice Liddell', email: 'alice@example.com' });

      const orgs = await api('/orgs', tokens.access_token);
      assert.equal(orgs.status, 200);
      assert.deepEqual(((await orgs.json()) as { items: { slug: string }[] }).items.map((o) => o.slug), ['wonderland']);

      const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
      assert.notEqual(refreshed.refresh_token, tokens.refresh_token);
      assert.notEqual(refreshed.access_token, tokens.access_token);
      assert.equal((await api('/me', refreshed.access_token)).status, 200);

      // RFC 9700 §4.14.2: the rotated token comes back, so the whole grant dies.
      await assert.rejects(oidc.refreshTokenGrant(config, tokens.refresh_token!), (err: unknown) => err instanceof oidc.ResponseBodyError && err.error === 'invalid_grant');
      await assert.rejects(oidc.refreshTokenGrant(config, refreshed.refresh_token!), (err: unknown) => err instanceof oidc.ResponseBodyError && err.error === 'invalid_grant');
      assert.equal((await api('/me', refreshed.access_token)).status, 401);
      assert.equal((await oidc.tokenIntrospection(config, refreshed.access_token)).active, false);
    });

    it('introspects a live token, and after revoking the refresh token refuses every token of the grant', async () => {
      const tokens = await connect();
      const live = await oidc.tokenIntrospection(config, tokens.access_token);
      assert.equal(live.active, true);
      assert.equal(live.client_id, service.clientId);
      assert.equal(live.sub, alice.id);
      assert.equal(live.scope, SCOPE);

      await oidc.tokenRevocation(config, tokens.refresh_token!);
      assert.deepEqual(await oidc.tokenIntrospection(config, tokens.access_token), { active: false });
      assert.equal((await api('/me', tokens.access_token)).status, 401);
      await assert.rejects(oidc.refreshTokenGrant(config, tokens.refresh_token!), (err: unknown) => err instanceof oidc.ResponseBodyError && err.error === 'invalid_grant');
    });

    it('after a revoke, the next authorization shows the approval page again (SECURITY 52)', async () => {
      const browser = new Browser(t);
      const tokens = await connect(browser);
      const request = async () => {
        const url = oidc.buildAuthorizationUrl(config, {
          redirect_uri: REDIRECT,
          scope: SCOPE,
          code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
          code_challenge_method: 'S256',
        });
        return browser.follow(await browser.get(url.pathname + url.search));
      };
      // Signed in with a live grant covering the scopes: straight back to the service with a code.
      const before = await request();
      assert.equal(redirectLocation(before)?.startsWith(REDIRECT), true);
      await oidc.tokenRevocation(config, tokens.refresh_token!);
      assert.equal(isApprovalPage(await request()), true);
    });

    it('refuses a callback whose state or iss does not match (the client library checks both)', async () => {
      const verifier = oidc.randomPKCECodeVerifier();
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: REDIRECT,
        scope: 'openid',
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state: 'expected-state',
      });
      const callback = await authorize(t, Object.fromEntries(url.searchParams), { email: 'alice@example.com', approve: true });
      assert.equal(callback.searchParams.get('iss'), t.issuer);
      const forged = new URL(callback);
      forged.searchParams.set('iss', 'https://evil.example');
      await assert.rejects(oidc.authorizationCodeGrant(config, forged, { pkceCodeVerifier: verifier, expectedState: 'expected-state' }));
      await assert.rejects(oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: 'other-state' }));
    });
  });
}
