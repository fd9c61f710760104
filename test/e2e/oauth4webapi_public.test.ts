/**
 * A native app (public client, loopback redirect on a port of its choosing, RFC 8252) driven by
 * oauth4webapi: PKCE with no secret, ID token checks, refresh rotation, revocation.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as oauth from 'oauth4webapi';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createClient, createUser, type TestClient } from '../support/fixtures.ts';
import { authorize } from '../support/browser.ts';

const insecure = { [oauth.allowInsecureRequests]: true } as const;

for (const dialect of dialects()) {
  describe(`oauth4webapi, public native client (${dialect})`, () => {
    let t: TestApp;
    let app: TestClient;
    let as: oauth.AuthorizationServer;
    let client: oauth.Client;

    before(async () => {
      t = await startTestApp({ dialect, listen: true });
      await createUser(t.deps, 'bob@example.com', 'Bob');
      app = await createClient(t.deps, { name: 'Tessera CLI', public: true, redirectUris: ['http://127.0.0.1/callback'] });
      const issuer = new URL(t.issuer);
      as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...insecure }));
      client = { client_id: app.clientId };
    });
    after(() => t.close());

    it('runs code + PKCE on a loopback port the app picked, refreshes with rotation, and revokes', async () => {
      const redirectUri = 'http://127.0.0.1:53187/callback';
      const verifier = oauth.generateRandomCodeVerifier();
      const state = oauth.generateRandomState();
      const nonce = oauth.generateRandomNonce();
      const callback = await authorize(
        t,
        {
          client_id: app.clientId,
          redirect_uri: redirectUri,
          response_type: 'code',
          scope: 'openid profile offline_access',
          state,
          nonce,
          code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
          code_challenge_method: 'S256',
        },
        { email: 'bob@example.com', approve: true },
      );
      assert.equal(`${callback.origin}${callback.pathname}`, redirectUri);
      const params = oauth.validateAuthResponse(as, client, callback, state);
      const response = await oauth.authorizationCodeGrantRequest(as, client, oauth.None(), params, redirectUri, verifier, insecure);
      const tokens = await oauth.processAuthorizationCodeResponse(as, client, response, { expectedNonce: nonce, requireIdToken: true });
      const claims = oauth.getValidatedIdTokenClaims(tokens);
      assert.equal(claims?.aud, app.clientId);
      assert.ok(tokens.refresh_token);

      const next = await oauth.processRefreshTokenResponse(as, client, await oauth.refreshTokenGrantRequest(as, client, oauth.None(), tokens.refresh_token, insecure));
      assert.ok(next.refresh_token && next.refresh_token !== tokens.refresh_token);

      await oauth.processRevocationResponse(await oauth.revocationRequest(as, client, oauth.None(), next.refresh_token, insecure));
      const after = await oauth.refreshTokenGrantRequest(as, client, oauth.None(), next.refresh_token, insecure);
      await assert.rejects(oauth.processRefreshTokenResponse(as, client, after), (err: unknown) => err instanceof oauth.ResponseBodyError && err.error === 'invalid_grant');
    });

    it('refuses another host or path on the loopback redirect (SECURITY 1)', async () => {
      for (const redirectUri of ['http://localhost:53187/callback', 'http://127.0.0.1:53187/other', 'http://127.0.0.2:53187/callback']) {
        const res = await t.app.inject({
          method: 'GET',
          url: `/authorize?${new URLSearchParams({ client_id: app.clientId, redirect_uri: redirectUri, response_type: 'code', scope: 'openid', code_challenge: 'a'.repeat(43), code_challenge_method: 'S256' })}`,
        });
        assert.equal(res.statusCode, 400, redirectUri);
        assert.equal(res.headers.location, undefined, redirectUri);
      }
    });
  });
}
