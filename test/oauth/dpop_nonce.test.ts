/**
 * DPoP server nonces (RFC 9449 §8, §9; `DPOP_NONCE=on`, issue 18): a proof without a current nonce
 * gets `use_dpop_nonce` with the nonce in `DPoP-Nonce` — 400 at /token, 401 with the DPoP challenge
 * at the API and /userinfo — and a retry signed with it passes; every DPoP answer hands out the
 * current nonce; a forged nonce, or one two periods old, is refused; a nonce from one node works on
 * another (stateless). oauth4webapi's nonce handling plays the client once.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as oauth from 'oauth4webapi';
import { databaseOf, dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createClient, createUser, type TestClient } from '../support/fixtures.ts';
import { issueTestCode, postForm } from '../support/codes.ts';
import { proof, proofKey, type ProofKey } from '../support/dpop.ts';
import { mintAccessToken } from '../support/tokens.ts';
import type { User } from '../../src/domain/users.ts';

const insecure = { [oauth.allowInsecureRequests]: true } as const;
const REDIRECT = 'http://127.0.0.1/cb';

for (const dialect of dialects()) {
  describe(`DPoP server nonces (${dialect})`, () => {
    let t: TestApp;
    let b: TestApp;
    let alice: User;
    let spa: TestClient;
    let key: ProofKey;

    before(async () => {
      t = await startTestApp({ dialect, listen: true, env: { DPOP_NONCE: 'on' } });
      b = await startTestApp({ database: databaseOf(t), env: { DPOP_NONCE: 'on', PUBLIC_URL: t.issuer } });
      alice = await createUser(t.deps, `alice-${dialect}@example.com`, 'Alice');
      spa = await createClient(t.deps, { name: 'Board SPA', public: true, redirectUris: [REDIRECT] });
      key = await proofKey();
    });
    after(async () => {
      await b.close();
      await t.close();
    });

    async function exchange(app: TestApp, nonce?: string) {
      const issued = await issueTestCode(t.deps, { client: spa, user: alice, scopes: ['openid', 'offline_access'] });
      const dpop = await proof(key, { htm: 'POST', htu: `${t.issuer}/token`, iat: app.clock.now(), ...(nonce === undefined ? {} : { nonce }) });
      return postForm(app, '/token', spa, { grant_type: 'authorization_code', code: issued.code, code_verifier: issued.verifier }, { dpop });
    }

    it('/token: no nonce is use_dpop_nonce with DPoP-Nonce; the retry with it gets tokens and the next nonce', async () => {
      const first = await exchange(t);
      assert.deepEqual([first.statusCode, first.json().error], [400, 'use_dpop_nonce']);
      const nonce = first.headers['dpop-nonce'] as string;
      assert.ok(nonce);
      const retry = await exchange(t, nonce);
      assert.equal(retry.statusCode, 200, retry.body);
      assert.equal(retry.json().token_type, 'DPoP');
      assert.ok(retry.headers['dpop-nonce']);
    });

    it('a forged nonce, or one two periods old, is refused; a nonce of node A works on node B', async () => {
      const forged = await exchange(t, 'abc.AAAAAAAAAAAAAAAAAAAAAA');
      assert.equal(forged.json().error, 'use_dpop_nonce');
      const nonce = (await exchange(t)).headers['dpop-nonce'] as string;
      assert.equal((await exchange(b, nonce)).statusCode, 200, 'stateless: B accepts A’s nonce');
      t.clock.advance(601);
      try {
        const stale = await exchange(t, nonce);
        assert.equal(stale.json().error, 'use_dpop_nonce');
        assert.notEqual(stale.headers['dpop-nonce'], nonce);
      } finally {
        t.clock.advance(-601);
      }
    });

    it('the API and /userinfo: 401 use_dpop_nonce with the DPoP challenge and the nonce; with it, 200 and the next nonce', async () => {
      const grant = await t.deps.stores.grants.approve(alice.id, spa.clientId, ['openid'], t.clock.now());
      const token = await mintAccessToken(t.deps, { sub: alice.id, gid: grant.id, client_id: spa.clientId, scope: 'openid', cnf: { jkt: key.jkt } });
      for (const path of ['/api/v1/me', '/userinfo']) {
        const htu = `${t.issuer}${path}`;
        const call = (dpop: string) => t.app.inject({ method: 'GET', url: path, headers: { authorization: `DPoP ${token}`, dpop } });
        const first = await call(await proof(key, { htm: 'GET', htu, accessToken: token }));
        assert.equal(first.statusCode, 401, path);
        assert.match(first.headers['www-authenticate'] as string, /^DPoP error="use_dpop_nonce"/, path);
        const nonce = first.headers['dpop-nonce'] as string;
        assert.ok(nonce, path);
        const withNonce = await proof(key, { htm: 'GET', htu, accessToken: token, nonce, iat: t.clock.now() });
        const ok = await call(withNonce);
        assert.equal(ok.statusCode, 200, `${path}: ${ok.body}`);
        assert.ok(ok.headers['dpop-nonce'], path);
      }
    });

    it('oauth4webapi retries with the nonce it is given (isDPoPNonceError)', async () => {
      const issuer = new URL(t.issuer);
      const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...insecure }));
      const client = { client_id: spa.clientId };
      const DPoP = oauth.DPoP({}, await oauth.generateKeyPair('ES256'));
      const issued = await issueTestCode(t.deps, { client: spa, user: alice, scopes: ['openid'] });
      const params = oauth.validateAuthResponse(as, client, new URL(`${REDIRECT}?code=${issued.code}&iss=${encodeURIComponent(t.issuer)}`), oauth.expectNoState);
      const request = () => oauth.authorizationCodeGrantRequest(as, client, oauth.None(), params, REDIRECT, issued.verifier, { DPoP, ...insecure });
      let nonceErrors = 0;
      let tokens: oauth.TokenEndpointResponse | undefined;
      for (let attempt = 0; attempt < 2 && !tokens; attempt++) {
        try {
          tokens = await oauth.processAuthorizationCodeResponse(as, client, await request());
        } catch (err) {
          if (!oauth.isDPoPNonceError(err)) throw err;
          nonceErrors++;
        }
      }
      assert.equal(nonceErrors, 1);
      assert.equal(tokens?.token_type, 'dpop');
      const me = await oauth.protectedResourceRequest(tokens!.access_token, 'GET', new URL(`${t.issuer}/api/v1/me`), new Headers(), null, { DPoP, ...insecure });
      assert.equal(me.status, 200, 'the nonce from /token is good at the API too');
    });
  });
}
