/**
 * DPoP at the resources (RFC 9449 §7, issue 18, SECURITY 22): the platform API and /userinfo take a
 * bound token only as `Authorization: DPoP` with a proof of its key for that request. Refused: the
 * bound token as Bearer or without a proof (401 `dpop_required`, `WWW-Authenticate: DPoP
 * error="invalid_token"`), a proof for another URL or method, a wrong or missing `ath`, `iat` ±1 h,
 * alg none or HS256, a private jwk, a bad signature, another key, a replayed `jti` — also on a
 * second node sharing the database. Accepted: `iat` ±10 s. oauth4webapi and openid-client play the
 * client for the real flows; the janitor purges spent proofs.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as oauth from 'oauth4webapi';
import * as oidc from 'openid-client';
import { sql } from 'kysely';
import { databaseOf, dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createClient, type TestClient } from '../support/fixtures.ts';
import { issueTestCode, postForm } from '../support/codes.ts';
import { authorize } from '../support/browser.ts';
import { ath, hs256Proof, proof, proofKey, tampered, unsignedProof, type ProofKey } from '../support/dpop.ts';
import { ALL, call, createPlatform, type Platform } from './platform_fixture.ts';
import { SqlPurgeStore } from '../../src/persistence/stores/purge.ts';
import { cutoffs } from '../../src/jobs/janitor.ts';

const insecure = { [oauth.allowInsecureRequests]: true } as const;
const REDIRECT = 'https://ci.example/callback';

for (const dialect of dialects()) {
  describe(`DPoP at the platform API and /userinfo (${dialect})`, () => {
    let t: TestApp;
    let b: TestApp;
    let p: Platform;
    let key: ProofKey;
    let bound: string;
    let me: string;

    before(async () => {
      t = await startTestApp({ dialect, listen: true });
      // A second node behind the same public URL, as behind a load balancer.
      b = await startTestApp({ database: databaseOf(t), env: { PUBLIC_URL: t.issuer } });
      p = await createPlatform(t, `-${dialect}`);
      key = await proofKey();
      bound = await p.token('alice', ALL, { cnf: { jkt: key.jkt } });
      me = `${t.issuer}/api/v1/me`;
    });
    after(async () => {
      await b.close();
      await t.close();
    });

    const dpopCall = (app: TestApp, token: string, dpop: string | undefined, path = '/me', method = 'GET') =>
      call(app, method, path, undefined, { headers: { authorization: `DPoP ${token}`, ...(dpop === undefined ? {} : { dpop }) } });

    it('a bound token with a proof of its key reads the API; the same proof again is a replay', async () => {
      const dpop = await proof(key, { htm: 'GET', htu: me, accessToken: bound });
      const res = await dpopCall(t, bound, dpop);
      assert.equal(res.statusCode, 200, res.body);
      const again = await dpopCall(t, bound, dpop);
      assert.equal(again.statusCode, 401);
      assert.equal(again.json().code, 'invalid_dpop_proof');
      assert.match(again.headers['www-authenticate'] as string, /^DPoP error="invalid_dpop_proof", algs="[^"]*ES256/);
    });

    it('a proof accepted on one node is refused on the other (the replay check is in the database)', async () => {
      const dpop = await proof(key, { htm: 'GET', htu: me, accessToken: bound });
      assert.equal((await dpopCall(t, bound, dpop)).statusCode, 200);
      const elsewhere = await dpopCall(b, bound, dpop);
      assert.deepEqual([elsewhere.statusCode, elsewhere.json().code], [401, 'invalid_dpop_proof']);
      // And the other way round: first on B, then on A.
      const second = await proof(key, { htm: 'GET', htu: me, accessToken: bound });
      assert.equal((await dpopCall(b, bound, second)).statusCode, 200);
      assert.equal((await dpopCall(t, bound, second)).statusCode, 401);
    });

    it('a bound token sent as Bearer, or without a proof, is dpop_required with the DPoP challenge', async () => {
      for (const res of [await call(t, 'GET', '/me', bound), await dpopCall(t, bound, undefined)]) {
        assert.equal(res.statusCode, 401);
        assert.equal(res.json().code, 'dpop_required');
        assert.match(res.headers['www-authenticate'] as string, /^DPoP error="invalid_token", algs="/);
      }
    });

    it('an unbound token still reads as Bearer, and is refused under the DPoP scheme', async () => {
      const plain = await p.token('alice');
      assert.equal((await call(t, 'GET', '/me', plain)).statusCode, 200);
      const res = await dpopCall(t, plain, await proof(key, { htm: 'GET', htu: me, accessToken: plain }));
      assert.deepEqual([res.statusCode, res.json().code], [401, 'invalid_token']);
    });

    it('refuses proofs for another URL or method, a wrong or missing ath, iat ±1 h, alg none, HS256, a private jwk, a bad signature, another key', async () => {
      const now = t.clock.now();
      const projects = `${t.issuer}/api/v1/orgs/${p.acme.slug}/projects`;
      const cases: [string, string][] = [
        ['another URL', await proof(key, { htm: 'GET', htu: projects, accessToken: bound })],
        ['another origin', await proof(key, { htm: 'GET', htu: 'https://api.elsewhere.example/api/v1/me', accessToken: bound })],
        ['another method', await proof(key, { htm: 'POST', htu: me, accessToken: bound })],
        ['no ath', await proof(key, { htm: 'GET', htu: me })],
        ['ath of another token', await proof(key, { htm: 'GET', htu: me, accessToken: await p.token('bob') })],
        ['iat an hour old', await proof(key, { htm: 'GET', htu: me, accessToken: bound, iat: now - 3600 })],
        ['iat an hour ahead', await proof(key, { htm: 'GET', htu: me, accessToken: bound, iat: now + 3600 })],
        ['alg none', unsignedProof(key, { htm: 'GET', htu: me, ath: ath(bound) })],
        ['HS256', await hs256Proof({ htm: 'GET', htu: me, ath: ath(bound) })],
        ['a private jwk', await proof(key, { htm: 'GET', htu: me, accessToken: bound, header: { jwk: key.privateJwk } })],
        ['a bad signature', tampered(await proof(key, { htm: 'GET', htu: me, accessToken: bound }))],
        ['another key', await proof(await proofKey(), { htm: 'GET', htu: me, accessToken: bound })],
      ];
      for (const [what, dpop] of cases) {
        const res = await dpopCall(t, bound, dpop);
        assert.deepEqual([res.statusCode, res.json().code], [401, 'invalid_dpop_proof'], what);
      }
    });

    it('accepts an iat 10 s old or 10 s ahead (SECURITY R8)', async () => {
      const now = t.clock.now();
      for (const iat of [now - 10, now + 10]) {
        const res = await dpopCall(t, bound, await proof(key, { htm: 'GET', htu: me, accessToken: bound, iat }));
        assert.equal(res.statusCode, 200, res.body);
      }
    });

    it('the proof names the path without the query; a write needs a proof for POST on its own path', async () => {
      const projects = `${t.issuer}/api/v1/orgs/${p.acme.slug}/projects`;
      const list = await dpopCall(t, bound, await proof(key, { htm: 'GET', htu: projects, accessToken: bound }), `/orgs/${p.acme.slug}/projects?limit=5`);
      assert.equal(list.statusCode, 200, list.body);
      const created = await call(t, 'POST', `/orgs/${p.acme.slug}/projects`, undefined, {
        body: { name: `DPoP ${dialect}` },
        headers: { authorization: `DPoP ${bound}`, dpop: await proof(key, { htm: 'POST', htu: projects, accessToken: bound }) },
      });
      assert.equal(created.statusCode, 201, created.body);
    });

    it('/userinfo: the bound token as Bearer is refused with the DPoP challenge; with a proof it answers', async () => {
      const asBearer = await t.app.inject({ method: 'GET', url: '/userinfo', headers: { authorization: `Bearer ${bound}` } });
      assert.equal(asBearer.statusCode, 401);
      assert.match(asBearer.headers['www-authenticate'] as string, /^DPoP error="invalid_token"/);
      const wrong = await t.app.inject({ method: 'GET', url: '/userinfo', headers: { authorization: `DPoP ${bound}`, dpop: await proof(key, { htm: 'GET', htu: me, accessToken: bound }) } });
      assert.equal(wrong.statusCode, 401);
      assert.equal(wrong.json().error, 'invalid_dpop_proof');
      const good = await t.app.inject({ method: 'GET', url: '/userinfo', headers: { authorization: `DPoP ${bound}`, dpop: await proof(key, { htm: 'GET', htu: `${t.issuer}/userinfo`, accessToken: bound }) } });
      assert.equal(good.statusCode, 200, good.body);
      assert.equal(good.json().sub, p.alice.id);
    });

    it('a bound token revoked at /revoke is refused at once, with a valid proof of its key, at the API and /userinfo', async () => {
      const token = await p.token('bob', ALL, { cnf: { jkt: key.jkt } });
      const userinfo = `${t.issuer}/userinfo`;
      const readApi = async () => dpopCall(t, token, await proof(key, { htm: 'GET', htu: me, accessToken: token }));
      const readUserinfo = async () =>
        t.app.inject({ method: 'GET', url: '/userinfo', headers: { authorization: `DPoP ${token}`, dpop: await proof(key, { htm: 'GET', htu: userinfo, accessToken: token }) } });
      assert.equal((await readApi()).statusCode, 200);
      assert.equal((await readUserinfo()).statusCode, 200);
      const revoked = await postForm(t, '/revoke', p.service, { token, token_type_hint: 'access_token' });
      assert.equal(revoked.statusCode, 200, revoked.body);
      const api = await readApi();
      assert.equal(api.statusCode, 401);
      assert.equal(api.json().code, 'grant_revoked');
      const info = await readUserinfo();
      assert.deepEqual([info.statusCode, info.json().error], [401, 'invalid_token']);
    });

    it('oauth4webapi end to end: DPoP token from /token, then the API and /userinfo with its proofs', async () => {
      const spa: TestClient = await createClient(t.deps, { name: 'Board SPA', public: true, redirectUris: [REDIRECT] });
      const issuer = new URL(t.issuer);
      const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...insecure }));
      const client = { client_id: spa.clientId };
      const dpop = oauth.DPoP({}, await oauth.generateKeyPair('ES256'));
      const issued = await issueTestCode(t.deps, { client: spa, user: p.alice, scopes: ['openid', 'offline_access', 'orgs:read'] });
      const params = oauth.validateAuthResponse(as, client, new URL(`${REDIRECT}?code=${issued.code}&iss=${encodeURIComponent(t.issuer)}`), oauth.expectNoState);
      const tokens = await oauth.processAuthorizationCodeResponse(as, client,
        await oauth.authorizationCodeGrantRequest(as, client, oauth.None(), params, REDIRECT, issued.verifier, { DPoP: dpop, ...insecure }));
      assert.equal(tokens.token_type, 'dpop');
      const res = await oauth.protectedResourceRequest(tokens.access_token, 'GET', new URL(me), new Headers(), null, { DPoP: dpop, ...insecure });
      assert.equal(res.status, 200);
      assert.equal(((await res.json()) as { id: string }).id, p.alice.id);
      const info = await oauth.userInfoRequest(as, client, tokens.access_token, { DPoP: dpop, ...insecure });
      assert.equal(info.status, 200);
      // Without the library's proof the same token is useless.
      assert.equal((await fetch(me, { headers: { authorization: `Bearer ${tokens.access_token}` } })).status, 401);
    });

    it('openid-client end to end with DPoP: code flow, then the API', async () => {
      const service = await createClient(t.deps, { name: 'CI Dashboard', redirectUris: [REDIRECT] });
      const config = await oidc.discovery(new URL(t.issuer), service.clientId, service.clientSecret, undefined, { execute: [oidc.allowInsecureRequests] });
      const DPoP = oidc.getDPoPHandle(config, await oidc.randomDPoPKeyPair('ES256'));
      const verifier = oidc.randomPKCECodeVerifier();
      const state = oidc.randomState();
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: REDIRECT,
        scope: 'openid orgs:read',
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
      });
      const callback = await authorize(t, Object.fromEntries(url.searchParams), { email: p.alice.email, approve: true });
      const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state }, undefined, { DPoP });
      assert.equal(tokens.token_type, 'dpop');
      const res = await oidc.fetchProtectedResource(config, tokens.access_token, new URL(me), 'GET', undefined, undefined, { DPoP });
      assert.equal(res.status, 200);
    });

    it('the janitor purges proofs whose window has passed and keeps the others', async () => {
      const purge = new SqlPurgeStore(t.deps.database.db);
      const now = t.clock.now();
      assert.equal(await t.deps.stores.dpopProofs.remember(`old-${dialect}`, now - 3600), true);
      assert.equal(await t.deps.stores.dpopProofs.remember(`live-${dialect}`, now + 60), true);
      const cutoff = cutoffs(now, 90, 365).dpop_proofs!;
      assert.ok((await purge.purge('dpop_proofs', cutoff, 1000)) >= 1);
      assert.equal(await t.deps.stores.dpopProofs.remember(`old-${dialect}`, now + 60), true, 'purged, so new again');
      assert.equal(await t.deps.stores.dpopProofs.remember(`live-${dialect}`, now + 60), false, 'kept');
      if (dialect === 'postgres') {
        // Migration 202612071210_dpop_proofs_unlogged: unlogged, so an insert does not wait for a WAL flush.
        const { rows } = await sql<{ relpersistence: string }>`SELECT relpersistence FROM pg_class WHERE relname = 'dpop_proofs' AND relnamespace = current_schema()::regnamespace`.execute(t.deps.database.db);
        assert.deepEqual(rows.map((r) => r.relpersistence), ['u']);
      }
    });
  });
}
