/**
 * DPoP at the authorization server (RFC 9449, issue 18, SECURITY 22 and R8): discovery, the proof
 * checks at /token (another URL or method, iat ±1 h refused and ±10 s accepted, a replayed jti, alg
 * none and HS256, a private jwk, a bad signature, typ), `token_type: DPoP` and `cnf.jkt`, a public
 * client's refresh token bound to the key (used without it or with another: invalid_grant), a
 * confidential client's left unbound, `dpop_jkt` at /authorize (§10), apps that take only bound
 * tokens (§5.2), introspection's `cnf.jkt` (SECURITY 21), and Ed25519 keys of small order. oauth4webapi's DPoP support plays the
 * client where a client library would; the refusals use proofs made by hand.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import * as oauth from 'oauth4webapi';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createClient, createUser, type TestClient } from '../support/fixtures.ts';
import { exchangeCode, introspect, issueTestCode, postForm, refresh } from '../support/codes.ts';
import { authorize, codeRequest } from '../support/browser.ts';
import { claimsOf, hs256Proof, proof, proofKey, tampered, unsignedProof, type ProofKey } from '../support/dpop.ts';
import type { User } from '../../src/domain/users.ts';

const insecure = { [oauth.allowInsecureRequests]: true } as const;
const REDIRECT = 'http://127.0.0.1/cb';
const SCOPES = ['openid', 'offline_access', 'workitems:read'];

for (const dialect of dialects()) {
  describe(`DPoP at the token endpoint (${dialect})`, () => {
    let t: TestApp;
    let alice: User;
    let spa: TestClient;
    let service: TestClient;
    let as: oauth.AuthorizationServer;
    let key: ProofKey;
    let tokenUrl: string;

    before(async () => {
      t = await startTestApp({ dialect, listen: true });
      alice = await createUser(t.deps, `alice-${dialect}@example.com`, 'Alice');
      spa = await createClient(t.deps, { name: 'Board SPA', public: true, redirectUris: [REDIRECT] });
      service = await createClient(t.deps, { name: 'CI Dashboard', redirectUris: [REDIRECT] });
      const issuer = new URL(t.issuer);
      as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...insecure }));
      key = await proofKey();
      tokenUrl = `${t.issuer}/token`;
    });
    after(() => t.close());

    const code = (client: TestClient, dpopJkt?: string) =>
      issueTestCode(t.deps, { client, user: alice, scopes: SCOPES, ...(dpopJkt === undefined ? {} : { dpopJkt }) });
    const withProof = (dpop: string) => ({ dpop });
    async function exchangeWith(client: TestClient, dpop: string | undefined, dpopJkt?: string) {
      const issued = await code(client, dpopJkt);
      return postForm(t, '/token', client, { grant_type: 'authorization_code', code: issued.code, code_verifier: issued.verifier }, dpop === undefined ? {} : withProof(dpop));
    }

    /** oauth4webapi's code exchange with its own DPoP handle, for `client` (public). */
    async function libraryExchange(dpop: oauth.DPoPHandle, dpopJkt?: string) {
      const issued = await code(spa, dpopJkt);
      const params = oauth.validateAuthResponse(as, { client_id: spa.clientId }, new URL(`${REDIRECT}?code=${issued.code}&iss=${encodeURIComponent(t.issuer)}`), oauth.expectNoState);
      const response = await oauth.authorizationCodeGrantRequest(as, { client_id: spa.clientId }, oauth.None(), params, REDIRECT, issued.verifier, { DPoP: dpop, ...insecure });
      return oauth.processAuthorizationCodeResponse(as, { client_id: spa.clientId }, response);
    }

    it('discovery advertises the proof algorithms, ES256 among them', () => {
      const algs = (as as { dpop_signing_alg_values_supported?: string[] }).dpop_signing_alg_values_supported;
      assert.ok(algs?.includes('ES256'), JSON.stringify(algs));
      assert.ok(!algs!.some((a) => a === 'none' || a.startsWith('HS')));
    });

    it('oauth4webapi with DPoP: token_type DPoP, cnf.jkt is the key, and the bound refresh token works only with that key', async () => {
      const keyPair = await oauth.generateKeyPair('ES256');
      const dpop = oauth.DPoP({}, keyPair);
      const tokens = await libraryExchange(dpop);
      assert.equal(tokens.token_type, 'dpop');
      const jkt = await dpop.calculateThumbprint();
      assert.deepEqual(claimsOf(tokens.access_token).cnf, { jkt });
      assert.ok(tokens.refresh_token);

      // Stolen: the refresh token without its key (no proof, or a proof of another key) is invalid_grant.
      const bare = await refresh(t, spa, tokens.refresh_token);
      assert.deepEqual([bare.statusCode, bare.json().error], [400, 'invalid_grant']);
      const thief = await proofKey();
      const stolen = await postForm(t, '/token', spa, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token }, withProof(await proof(thief, { htm: 'POST', htu: tokenUrl })));
      assert.deepEqual([stolen.statusCode, stolen.json().error], [400, 'invalid_grant']);

      // The holder of the key refreshes; the successor is bound to the same key.
      const refreshed = await oauth.processRefreshTokenResponse(as, { client_id: spa.clientId },
        await oauth.refreshTokenGrantRequest(as, { client_id: spa.clientId }, oauth.None(), tokens.refresh_token, { DPoP: dpop, ...insecure }));
      assert.equal(refreshed.token_type, 'dpop');
      assert.deepEqual(claimsOf(refreshed.access_token).cnf, { jkt });
      const again = await refresh(t, spa, refreshed.refresh_token!);
      assert.deepEqual([again.statusCode, again.json().error], [400, 'invalid_grant']);
    });

    it('without a proof the same client gets Bearer tokens, and its refresh token stays unbound', async () => {
      const res = await exchangeWith(spa, undefined);
      assert.equal(res.statusCode, 200, res.body);
      const body = res.json();
      assert.equal(body.token_type, 'Bearer');
      assert.equal(claimsOf(body.access_token).cnf, undefined);
      assert.equal((await refresh(t, spa, body.refresh_token)).statusCode, 200);
    });

    it("a confidential client's access token is bound but its refresh token is not (RFC 9449 §5); introspection shows cnf.jkt and token_type DPoP", async () => {
      const res = await exchangeWith(service, await proof(key, { htm: 'POST', htu: tokenUrl }));
      assert.equal(res.statusCode, 200, res.body);
      const body = res.json();
      assert.equal(body.token_type, 'DPoP');
      const seen = await introspect(t, service, body.access_token);
      assert.equal(seen.active, true);
      assert.equal(seen.token_type, 'DPoP');
      assert.deepEqual(seen.cnf, { jkt: key.jkt });
      // The client authenticates when it refreshes; no proof means a Bearer token this time.
      const renewed = await refresh(t, service, body.refresh_token);
      assert.equal(renewed.statusCode, 200, renewed.body);
      assert.equal(renewed.json().token_type, 'Bearer');
      const plain = await introspect(t, service, renewed.json().access_token);
      assert.equal(plain.token_type, 'Bearer');
      assert.equal(plain.cnf, undefined);
    });

    describe('proofs refused with invalid_dpop_proof', () => {
      const refusedWith = async (dpop: string) => {
        const res = await exchangeWith(spa, dpop);
        assert.deepEqual([res.statusCode, res.json().error], [400, 'invalid_dpop_proof'], res.body);
      };
      it('for another URL, with a query, or for another method', async () => {
        await refusedWith(await proof(key, { htm: 'POST', htu: `${t.issuer}/revoke` }));
        await refusedWith(await proof(key, { htm: 'POST', htu: `https://elsewhere.example/token` }));
        await refusedWith(await proof(key, { htm: 'GET', htu: tokenUrl }));
      });
      it('an iat an hour old or an hour ahead', async () => {
        const now = t.clock.now();
        await refusedWith(await proof(key, { htm: 'POST', htu: tokenUrl, iat: now - 3600 }));
        await refusedWith(await proof(key, { htm: 'POST', htu: tokenUrl, iat: now + 3600 }));
      });
      it('alg none, HS256, a private key in the header, a bad signature, another typ, two DPoP headers', async () => {
        await refusedWith(unsignedProof(key, { htm: 'POST', htu: tokenUrl }));
        await refusedWith(await hs256Proof({ htm: 'POST', htu: tokenUrl }));
        await refusedWith(await proof(key, { htm: 'POST', htu: tokenUrl, header: { jwk: key.privateJwk } }));
        await refusedWith(tampered(await proof(key, { htm: 'POST', htu: tokenUrl })));
        await refusedWith(await proof(key, { htm: 'POST', htu: tokenUrl, header: { typ: 'JWT' } }));
        const one = await proof(key, { htm: 'POST', htu: tokenUrl });
        await refusedWith(`${one}, ${await proof(key, { htm: 'POST', htu: tokenUrl })}`);
      });
      it('a replayed jti, even with a fresh code', async () => {
        const dpop = await proof(key, { htm: 'POST', htu: tokenUrl });
        assert.equal((await exchangeWith(spa, dpop)).statusCode, 200);
        await refusedWith(dpop);
      });
    });

    it('an iat 10 s old or 10 s ahead is accepted (SECURITY R8)', async () => {
      const now = t.clock.now();
      for (const iat of [now - 10, now + 10]) {
        const res = await exchangeWith(spa, await proof(key, { htm: 'POST', htu: tokenUrl, iat }));
        assert.equal(res.statusCode, 200, res.body);
        assert.equal(res.json().token_type, 'DPoP');
      }
    });

    it('a code bound with dpop_jkt: no proof or another key is invalid_grant, the bound key redeems it', async () => {
      const issued = await code(spa, key.jkt);
      const form = { grant_type: 'authorization_code', code: issued.code, code_verifier: issued.verifier };
      const none = await postForm(t, '/token', spa, form);
      assert.deepEqual([none.statusCode, none.json().error], [400, 'invalid_grant']);
      const other = await postForm(t, '/token', spa, form, withProof(await proof(await proofKey(), { htm: 'POST', htu: tokenUrl })));
      assert.deepEqual([other.statusCode, other.json().error], [400, 'invalid_grant']);
      const good = await postForm(t, '/token', spa, form, withProof(await proof(key, { htm: 'POST', htu: tokenUrl })));
      assert.equal(good.statusCode, 200, good.body);
      assert.deepEqual(claimsOf(good.json().access_token).cnf, { jkt: key.jkt });
    });

    it('/authorize binds the code to dpop_jkt; a malformed dpop_jkt is invalid_request at the redirect', async () => {
      const keyPair = await oauth.generateKeyPair('ES256');
      const dpop = oauth.DPoP({}, keyPair);
      const jkt = await dpop.calculateThumbprint();
      const { params, verifier } = codeRequest(spa.clientId, REDIRECT, { scope: 'openid offline_access', dpop_jkt: jkt });
      const callback = await authorize(t, params, { email: `alice-${dialect}@example.com`, approve: true });
      const code = callback.searchParams.get('code');
      assert.ok(code, callback.href);
      const form = { grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: REDIRECT };
      const mismatch = await postForm(t, '/token', spa, form, withProof(await proof(key, { htm: 'POST', htu: tokenUrl })));
      assert.deepEqual([mismatch.statusCode, mismatch.json().error], [400, 'invalid_grant']);
      const cb = oauth.validateAuthResponse(as, { client_id: spa.clientId }, callback, params.state!);
      const tokens = await oauth.processAuthorizationCodeResponse(as, { client_id: spa.clientId },
        await oauth.authorizationCodeGrantRequest(as, { client_id: spa.clientId }, oauth.None(), cb, REDIRECT, verifier, { DPoP: dpop, ...insecure }));
      assert.equal(tokens.token_type, 'dpop');

      const bad = codeRequest(spa.clientId, REDIRECT, { dpop_jkt: 'not-a-thumbprint' });
      const refused = await authorize(t, bad.params, { email: `alice-${dialect}@example.com`, approve: true });
      assert.equal(refused.searchParams.get('error'), 'invalid_request');
      assert.equal(refused.searchParams.get('code'), null);
    });

    it('a DPoP proof at /par binds the code to its key (§10.1); a dpop_jkt of another key beside it is invalid_dpop_proof', async () => {
      const client = { client_id: spa.clientId };
      const dpop = oauth.DPoP({}, await oauth.generateKeyPair('ES256'));
      const { params, verifier } = codeRequest(spa.clientId, REDIRECT, { scope: 'openid' });
      // oauth4webapi adds client_id itself.
      const pushedParams = Object.fromEntries(Object.entries(params).filter(([name]) => name !== 'client_id'));
      const pushed = await oauth.processPushedAuthorizationResponse(as, client,
        await oauth.pushedAuthorizationRequest(as, client, oauth.None(), pushedParams, { DPoP: dpop, ...insecure }));
      const callback = await authorize(t, { client_id: spa.clientId, request_uri: pushed.request_uri }, { email: `alice-${dialect}@example.com`, approve: true });
      const code = callback.searchParams.get('code');
      assert.ok(code, callback.href);
      const form = { grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: REDIRECT };
      const other = await postForm(t, '/token', spa, form, withProof(await proof(key, { htm: 'POST', htu: tokenUrl })));
      assert.deepEqual([other.statusCode, other.json().error], [400, 'invalid_grant']);
      const tokens = await oauth.processAuthorizationCodeResponse(as, client,
        await oauth.authorizationCodeGrantRequest(as, client, oauth.None(), oauth.validateAuthResponse(as, client, callback, params.state!), REDIRECT, verifier, { DPoP: dpop, ...insecure }));
      assert.equal(tokens.token_type, 'dpop');

      const mismatch = await postForm(t, '/par', spa, { ...codeRequest(spa.clientId, REDIRECT, { dpop_jkt: key.jkt }).params },
        withProof(await proof(await proofKey(), { htm: 'POST', htu: `${t.issuer}/par` })));
      assert.deepEqual([mismatch.statusCode, mismatch.json().error], [400, 'invalid_dpop_proof']);
    });

    it('an app with dpop_bound_access_tokens gets no unbound token: without a proof, invalid_request', async () => {
      const strict = await createClient(t.deps, { name: 'Strict SPA', public: true, redirectUris: [REDIRECT] });
      await t.deps.stores.apps.update({ ...strict.app, dpopBoundAccessTokens: true }, t.clock.now());
      t.deps.clients.invalidate(strict.clientId);
      const none = await exchangeWith(strict, undefined);
      assert.deepEqual([none.statusCode, none.json().error], [400, 'invalid_request']);
      const bound = await exchangeWith(strict, await proof(key, { htm: 'POST', htu: tokenUrl }));
      assert.equal(bound.statusCode, 200, bound.body);
      assert.equal(bound.json().token_type, 'DPoP');
    });

    it('Ed25519, RS256 and PS256 proof keys work too; an RSA key under 2048 bits does not', async () => {
      for (const alg of ['Ed25519', 'RS256', 'PS256']) {
        const tokens = await libraryExchange(oauth.DPoP({}, await oauth.generateKeyPair(alg)));
        assert.equal(tokens.token_type, 'dpop', alg);
      }
      // Libraries refuse to sign with such a key, so this proof is made with node:crypto.
      const weak = generateKeyPairSync('rsa', { modulusLength: 1024 });
      const jwk = weak.publicKey.export({ format: 'jwk' });
      const b64 = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');
      const input = `${b64({ alg: 'RS256', typ: 'dpop+jwt', jwk: { kty: 'RSA', n: jwk.n, e: jwk.e } })}.${b64({ htm: 'POST', htu: tokenUrl, jti: randomUUID(), iat: t.clock.now() })}`;
      const res = await exchangeWith(spa, `${input}.${sign('sha256', Buffer.from(input), weak.privateKey).toString('base64url')}`);
      assert.deepEqual([res.statusCode, res.json().error], [400, 'invalid_dpop_proof']);
    });

    it('an Ed25519 key of small order is refused: the identity point, whose signature (identity, 0) verifies for every message, and its sign-bit twin', async () => {
      const identity = Buffer.from('0100000000000000000000000000000000000000000000000000000000000000', 'hex');
      const universal = Buffer.concat([identity, Buffer.alloc(32)]).toString('base64url');
      const b64 = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');
      for (const last of [0x00, 0x80]) {
        const x = Buffer.from(identity);
        x[31] = last;
        const input = `${b64({ alg: 'EdDSA', typ: 'dpop+jwt', jwk: { kty: 'OKP', crv: 'Ed25519', x: x.toString('base64url') } })}.${b64({ htm: 'POST', htu: tokenUrl, jti: randomUUID(), iat: t.clock.now() })}`;
        const res = await exchangeWith(spa, `${input}.${universal}`);
        assert.deepEqual([res.statusCode, res.json().error], [400, 'invalid_dpop_proof'], `sign byte ${last}: ${res.body}`);
      }
    });

    it('a refused exchange leaves the code usable (the proof is checked before the code is spent)', async () => {
      const issued = await code(spa);
      const form = { grant_type: 'authorization_code', code: issued.code, code_verifier: issued.verifier };
      const bad = await postForm(t, '/token', spa, form, withProof(await proof(key, { htm: 'GET', htu: tokenUrl })));
      assert.equal(bad.json().error, 'invalid_dpop_proof');
      assert.equal((await exchangeCode(t, spa, issued)).statusCode, 200);
    });
  });

  describe(`DPoP under the invalid_grant throttle (${dialect})`, () => {
    let t: TestApp;
    let alice: User;
    let spa: TestClient;

    before(async () => {
      t = await startTestApp({ dialect, env: { THROTTLE_INVALID_GRANT: '2/60' } });
      alice = await createUser(t.deps, `alice-throttled-${dialect}@example.com`, 'Alice');
      spa = await createClient(t.deps, { name: 'Board SPA', public: true, redirectUris: [REDIRECT] });
    });
    after(() => t.close());

    const storedProofs = async () => (await t.deps.database.db.selectFrom('dpop_proofs').select('id').execute()).length;

    it('a throttled client gets 429 before its proof is looked at: no replay record is written', async () => {
      for (let i = 0; i < 2; i++) {
        const guess = await postForm(t, '/token', spa, { grant_type: 'authorization_code', code: `tsc_guess${i}`, code_verifier: 'v'.repeat(43) });
        assert.equal(guess.json().error, 'invalid_grant');
      }
      const before = await storedProofs();
      const issued = await issueTestCode(t.deps, { client: spa, user: alice, scopes: SCOPES });
      const form = { grant_type: 'authorization_code', code: issued.code, code_verifier: issued.verifier };
      const res = await postForm(t, '/token', spa, form, { dpop: await proof(await proofKey(), { htm: 'POST', htu: `${t.issuer}/token` }) });
      assert.equal(res.statusCode, 429, res.body);
      assert.equal(await storedProofs(), before);
    });
  });
}
