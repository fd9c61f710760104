/**
 * `sid` on refresh (issue 19; OpenID Connect Core §12.2, Back-Channel Logout 1.0 §2.4), both
 * dialects, with openid-client as the service: the ID token of a refresh names the same session
 * as the one from the code (and keeps `sub`, `iss`, `aud`), through every rotation; the logout
 * token that session's end sends names that `sid` too.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import { decodeJwt, type JWTPayload } from 'jose';
import { LogoutReceiver } from '../support/logout_receiver.ts';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createClient, createUser, type TestClient } from '../support/fixtures.ts';
import { authorize, Browser } from '../support/browser.ts';
import { startFlow } from '../support/openid_client.ts';

const REDIRECT = 'https://rp.example/callback';
const EMAIL = 'erin@example.com';

for (const dialect of dialects()) {
  describe(`sid on refresh (${dialect})`, () => {
    let t: TestApp;
    let receiver: LogoutReceiver;
    let rp: TestClient;
    let config: oidc.Configuration;

    before(async () => {
      t = await startTestApp({ dialect, listen: true, env: { OUTBOUND_POLL_MS: '100', OUTBOUND_RETRY_SECONDS: '1' } });
      await createUser(t.deps, EMAIL, 'Erin');
      receiver = new LogoutReceiver(t);
      await receiver.start();
      rp = await createClient(t.deps, { name: 'Refreshing RP', redirectUris: [REDIRECT], backchannelLogoutUri: receiver.url('/rp') });
      config = await oidc.discovery(new URL(t.issuer), rp.clientId, { client_secret: rp.clientSecret }, undefined, { execute: [oidc.allowInsecureRequests] });
    });
    after(async () => {
      await t.close();
      await receiver.close();
    });

    /** The code flow in `browser` with offline_access: the token response. */
    async function signIn(browser: Browser): Promise<oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers> {
      const { url, verifier, state, nonce } = await startFlow(config, REDIRECT, { scope: 'openid offline_access' });
      const callback = await authorize(t, Object.fromEntries(url.searchParams), { browser, email: EMAIL, approve: true });
      return oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce, idTokenExpected: true });
    }

    it("the refreshed ID token's sid is the first one's, through rotations, and the logout token names it", async () => {
      const browser = new Browser(t);
      const first = await signIn(browser);
      const original = decodeJwt(first.id_token!);
      assert.ok(typeof original.sid === 'string' && original.sid.length > 0, 'the code exchange gives a sid');

      let refreshToken = first.refresh_token!;
      const refreshed: JWTPayload[] = [];
      for (let i = 0; i < 2; i++) {
        const tokens = await oidc.refreshTokenGrant(config, refreshToken);
        assert.ok(tokens.id_token, 'openid in scope: an ID token at the refresh');
        assert.notEqual(tokens.refresh_token, refreshToken, 'rotated');
        refreshToken = tokens.refresh_token!;
        refreshed.push(decodeJwt(tokens.id_token));
      }
      for (const claims of refreshed) {
        // OIDC Core §12.2: the same sub, iss and aud; and the same session.
        assert.equal(claims.sub, original.sub);
        assert.equal(claims.iss, original.iss);
        assert.deepEqual(claims.aud, original.aud);
        assert.equal(claims.sid, original.sid);
        assert.equal(claims.nonce, undefined, 'no nonce at a refresh');
      }

      // The person signs out at Tessera: the logout token names the session by the same sid.
      const page = await browser.get('/logout');
      assert.equal((await browser.submit(page, /^\/logout\/confirm$/)).statusCode, 303);
      const deadline = Date.now() + 5000;
      while (!receiver.received.some((r) => r.path === '/rp') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
      const logout = receiver.received.find((r) => r.path === '/rp');
      assert.ok(logout, 'a logout token was delivered');
      assert.equal(logout.claims.sid, original.sid);
      assert.equal(logout.claims.sub, original.sub);
      assert.deepEqual(receiver.problems, []);
    });

    it('two sessions of one person keep their own sids through refreshes', async () => {
      const [one, two] = [await signIn(new Browser(t)), await signIn(new Browser(t))];
      const [sidOne, sidTwo] = [decodeJwt(one.id_token!).sid, decodeJwt(two.id_token!).sid];
      assert.notEqual(sidOne, sidTwo);
      assert.equal(decodeJwt((await oidc.refreshTokenGrant(config, two.refresh_token!)).id_token!).sid, sidTwo);
      assert.equal(decodeJwt((await oidc.refreshTokenGrant(config, one.refresh_token!)).id_token!).sid, sidOne);
    });

    it('the sid is kept with the token family in storage, not looked up from the code (which is purged)', async () => {
      const tokens = await signIn(new Browser(t));
      const sid = decodeJwt(tokens.id_token!).sid;
      // The code row goes as the janitor would remove it; the family keeps its session.
      await t.deps.database.db.deleteFrom('authorization_codes').execute();
      const again = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
      assert.equal(decodeJwt(again.id_token!).sid, sid);
    });
  });
}
