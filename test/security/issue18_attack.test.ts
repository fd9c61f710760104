/**
 * Issue 18 (DPoP, PAR, single-page apps with CORS) attacked from outside, over real HTTP against a
 * listening Tessera: as a hostile service, as a thief holding a stolen token, and as a hostile web
 * page. Each case is one attempt that must keep failing; the probes that found nothing stay here
 * too, because each of them could start to succeed after a change.
 *
 * Found by these probes (the first two fixed in crypto/dpop.ts):
 * - a proof whose `iat` has a fraction (a valid NumericDate) was a 500 on PostgreSQL, whose bigint
 *   replay column refused the fraction; the replay record's end is now rounded up;
 * - an RSA proof key is the sender's choice, and its check runs before anything else is known of
 *   the sender: a public exponent as long as the modulus cost 5 ms of event-loop CPU per proof at
 *   /token (70 times an ES256 check), for anyone who knows a public client_id. RSA proof keys are
 *   now exponent 65537 and 2048 to 4096 bits.
 * - with REFRESH_TOKEN_REUSE_GRACE on, a public client's family bound to a key at its first refresh
 *   could be unbound by replaying the leaked unbound predecessor within the grace, without the key:
 *   the grace retry now proves the newest token's key and its successor stays bound
 *   (oauth/token/grants/refresh_token.ts).
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey, generateKeyPairSync, randomBytes, sign as nodeSign, type KeyObject } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createClient, createUser, PASSWORD, type TestClient } from '../support/fixtures.ts';
import { basic, issueTestCode, s256 } from '../support/codes.ts';
import { Browser, authorizeUrl, isSignInPage, redirectLocation } from '../support/browser.ts';
import { claimsOf, proof, proofKey, type ProofKey } from '../support/dpop.ts';
import { collectRoutes, type Route } from '../support/route_table.ts';
import { digest } from '../../src/crypto/digest.ts';
import { currentDpopNonce } from '../../src/crypto/dpop_nonces.ts';
import { decideDevice } from '../../src/services/device_flow.ts';
import type { SignedIn } from '../../src/services/accounts/sessions.ts';
import type { User } from '../../src/domain/users.ts';

const SPA_ORIGIN = 'http://127.0.0.1:8090';
const SPA_REDIRECT = `${SPA_ORIGIN}/callback`;
const NATIVE_REDIRECT = 'http://127.0.0.1/cb';
const SCOPES = ['openid', 'offline_access', 'workitems:read'];
const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

interface Answer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
  text: string;
}

const b64u = (value: Buffer | object) => (Buffer.isBuffer(value) ? value : Buffer.from(JSON.stringify(value))).toString('base64url');
const bigOf = (b64: string) => BigInt('0x' + Buffer.from(b64, 'base64url').toString('hex'));
function b64OfBig(n: bigint): string {
  const hex = n.toString(16);
  return Buffer.from(hex.length % 2 ? '0' + hex : hex, 'hex').toString('base64url');
}
function modInverse(a: bigint, m: bigint): bigint | undefined {
  let [r0, r1, s0, s1] = [a % m, m, 1n, 0n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  return r0 === 1n ? ((s0 % m) + m) % m : undefined;
}
const gcd = (a: bigint, b: bigint): bigint => (b === 0n ? a : gcd(b, a % b));

/** An RSA key pair whose public exponent is as long as the modulus (a short private exponent): what a sender picks to make each check expensive. */
function rsaWithLongExponent(): { privateKey: KeyObject; publicJwk: Record<string, string> } {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = privateKey.export({ format: 'jwk' }) as Record<string, string>;
  const p = bigOf(jwk.p!);
  const q = bigOf(jwk.q!);
  const lambda = ((p - 1n) * (q - 1n)) / gcd(p - 1n, q - 1n);
  for (;;) {
    const d = BigInt('0x' + randomBytes(40).toString('hex')) | 1n;
    const e = modInverse(d, lambda);
    if (e === undefined || e.toString(2).length < 2000) continue;
    const full = { kty: 'RSA', n: jwk.n!, e: b64OfBig(e), d: b64OfBig(d), p: jwk.p!, q: jwk.q!, dp: b64OfBig(d % (p - 1n)), dq: b64OfBig(d % (q - 1n)), qi: b64OfBig(modInverse(q, p)!) };
    return { privateKey: createPrivateKey({ key: full, format: 'jwk' }), publicJwk: { kty: 'RSA', n: full.n, e: full.e } };
  }
}

/** A proof signed with node:crypto (RS256 or ES256), for keys jose will not sign with. */
function rawProof(privateKey: KeyObject, publicJwk: object, claims: Record<string, unknown>, alg: 'RS256' | 'ES256' = 'RS256'): string {
  const input = `${b64u({ alg, typ: 'dpop+jwt', jwk: publicJwk })}.${b64u({ jti: randomBytes(12).toString('base64url'), iat: Math.floor(Date.now() / 1000), ...claims })}`;
  const signature = nodeSign('sha256', Buffer.from(input), alg === 'ES256' ? { key: privateKey, dsaEncoding: 'ieee-p1363' } : privateKey);
  return `${input}.${signature.toString('base64url')}`;
}

/**
 * A 4352-bit RSA key pair, made once for this file (making one takes seconds): over the 4096 bits a
 * proof key may have. Only a test key; it signs nothing but proofs here.
 */
const RSA_4352_PRIVATE = {
  kty: 'RSA',
  n: 'sXGBgzHnaT6j_8J6jQRcaub18eqG3js73OYV1HKrjrihNLi517wk49_0d_RUdTL8ec0Tj8rPcG27DMk4g8ZuZeboZTzEHRzsRSs4NSiwOnq0xhhjs9ZWtDMuugD4Wmd4D5RTupfnZJ4PtSgzWJrzrK8PQdDapLnWqsxge2q5ma2F-Lymjw6xD29-wueOtmpwRjgfUdMODfhzIlU9Uu1II_ZW7dbN9CE1upqSgIPdudzge4rMKXJer93EdtJ3RGuyEp4DaS2qmTlFiw_uVR_ppf5M8IyDOKPDV_xc0GsTly24VZSPI2KINt2Ge2hbQCuhOolIQvc_zxMlSRIrhZWRPnf9q5ODfH_v7ALgsYcmiCfXveJlLV0aExK7iRAiR21hHVpVXCIoE8iIGUPQUophWq1FrPUoMkwuJh6XrlM_Pacbm1Fq0cec9L8DIdDwYNejS3OZaZaCPIHsOtB9RrdnIuIIes3zlYMof3Vr7BMWgXyRrdGnOS2JjPNYta8ZsKx6GQb4mFXj4VcbGAzJFSW3hAE2ldLb8wi1YCyFk6oowLkIMllFUzyE7Yx_DL5KQaWxCC3wg3fard5eDqx4LAdwmtZQTxx3YLbZaqbXCbp4tt0R7grwkTA-UtnQihLM8bxwqTV8r5E_hnJCVLWKOBWDqo2OLb3n0_btG6tFcWQo01ZKCaHad16cCw_jKJnQvwG4o80NHnbHwTgKZG793N5e7w',
  e: 'AQAB',
  d: 'HunI5-vWRoIYvTKK-i1T0nX5TBOROn80TygwjmoJ1Fv7Db3O9rQ68w4tv4Yr_p0K2kdtjIQHPq2HRFN8Co0T56HiQ9zhx7alvOkqKiy0AwQkoUxXdlm1kkBGeDY6DjnvcztimOPk9qUI1IUz6NBZ-nAnJs61gLQ1n1zqxCWUPx85c1ueYtbq5ucEPP1tYf9KHxmg7zbnQGzT1hvmip93DXjZrSbai5kLjL5oHoaapspBu5QzPFdGArqOgyroh12B0PeBXZ4MlhQhtvfoDCF6qaYTjmbUZ5Y0LoxzOQYmjBR1hEdU5pPAalqOlspX92aCeLm5Ap2jmrZZrRDCz0t-2dS6t10EL7j0OfhIX_VNM7P-FFnPWCKf9YzK-hdKG3xUCA4XSd5J8LsR6fQi6P1AZhd7Ypf-kf9ObWz-19tS2CJLZWATdkWZ31ZQmuIH5pJn3hMnVAtz1Xte1eLqJo1JbVsLiC7ysiFuQiOIR0KbLg2YzFP-o3uzr88a5fvQ4hx55YDfh3FyjljwFkqC_sOopGl1h9-sIfUl9kF2I-sWtPW859IjmkASq8eikGoa0gHEEzyZTSB8OEZrgt2tifIi849UWXMtd7tEJtdHsEWt3zY_a0gtWK3s0YcfaRuw_rrIivfUZFYM4BmRsWJxVx3EeMYNrUc2gYvb8jxISZK5A1vMqmjDV9EKy0SKF78QqU2q7QFfaOlRyaMuW2EqGMot0Q',
  p: '-YoEP7e9TpIKOhWjYijLRV1Vr7lH1pOJELXz7IEkohV-FvZXT-mcs3l_ynYvS0fK7dJrVuo53IYJFGgmLYX196ENunsvB0t4wv2ZofhK5Opt9R3qwwXp7DU5HvAY-wBhxU24bqAqFToeeIgnAvawdVv_F83joDjiTCOs_XlonORBXGBoc-ktfEhhrYVQNRdsEBdU-lyNY_f-MGpcWrm7xOI94CqPc_JFBfzeCUwZJjqCHxDkoa7mRoO7euFUAhZHBSZMNImRMQCAYbLOrkWVVeNJUn_edaqh9g73WhLLGah7jrX16c5kzbcAA1jFWc6yVP1-Jw99UGMvRqpAluneSx0tfHbaTAjqgmeBTS0T5RE',
  q: 'tgmgsfpFlDsG5uOsVYJpTXYuQQfiIvm3pL8d3r9x-w-wUiYwlIOzw3BUfXI1flNmf239kXJ3UMYPvngi8kktpd660VP6wpG3amQQxcViOpGXcsu37gATBYX7oIshjHBfMvqWvRaRR3f6ULjBJNH3tp8gF8MDmhZPx8kklZl1nUvVd9wJwebfRZ4chHWZJ-RCgy-nq6BKDasqOzdK6h0Sg-A8ZdM2PeLEQLX_FEQKNTeMdjHc9htzDjJY-qfhxLafvo-45AiI1Qhy3E9Mad2QYTGyBGbpxeXZP7TC0wblR2kTO3Mkc_ziqV_X2r8Z9UGtNKRW9mCvbVlCZUMvbxNuBQ8nV3kUv7nZxJqQXDx-A_8',
  dp: 'OX6vU-8F0yCa8p8hsfAsRaMnpwFNqAb-QbdqqEdpJV9GWgwQOf1deYy5APESHIpCG2GsEa6N_l1zohwND9gZwCB_hUP0pf2hqWu9BjCrMOtCwoNOH_kw2Je6vYIcf1irLkamA_crOxDVDHhyZKBqL-AuelGZ7MSuf1SI-y4KCHwfAyXDa1GChWw39T8OJ-1pnJuDnNvOSAZPruASv2Sj-s0V7JxhyRk9BhApKIM8GC7K5FWEGCywKfcYL0vTi1eOrYURcdlwdpXi_p-wNz8ZFVz0--kyXHIgNw1juIE0AolrTopmSqSfXTaY7ix57CNPu31cn6tV-DuiHOoFT8A605u5a0AHNBWp0rn-dMW6G8E',
  dq: 'VVIL5H9WL1S_NmbNtkJqkqjqowZL4nLCtU_ycx2uEatXzBkkOefE0LyMjUODeRMj_mQSLiLFc7FxXae3UXIlGBJd45EF_j4IBrCh_-A02xi0MFT1f3K_d55FwwiTD9z3cdBr6HJ0Y1gDleQSeuyCuzC3_QslXApLGGvZXtjPfIs3oXcbh6trSJkD6r2nrD_bQNuMLe_x5ZgtMhYHYdWAgRkPlfY5_SWVMHNc_CWr1yeTCS7zztIsyiGk_M7FDcs-8jUwxoiNgbP1CfeM7C2x5yxAsLl_pobFnYteqUQZILBKGFouYsLLhfFrHZbmVsKSqRLBw7arYogsi4PC7r_fmDVzDhetNvOn8vMy6FheBAc',
  qi: 'NO2zyfkIzvObG9iwGK7fDnbpocQHM57En0iTRleEQfmeBZznkfwo0YwLA5vQuW_zTEF0yi0HbJeG-vs2yCeAAePZ5UxkLDGHTtSu9BZv1gkHh0d0SxatoyvU89QOdAtmtCMDfOzdCVVC2cPtNtPCv-ABvHNykj3ogerG-jZy6ThbqgxVkh3YTeCAkLYc0j7AXn3OgNmGwwCYkxk-AvysGdRl_3WvjNXJUTHQK53LFemwLzOIqj3RKU7W2xDoTWC-02r7ldhbA2yvUu3Uvpgs--8KvslE5FauoCSeIMvqNRl44mCC38arlSru8qcs8b8QR2kXTakhiMd3mJM5pVM_MLoIPeaq8guIeuJSj3LE7vs',
};
const RSA_4352 = { kty: 'RSA', n: RSA_4352_PRIVATE.n, e: RSA_4352_PRIVATE.e };

for (const dialect of dialects()) {
  describe(`issue 18 under attack (${dialect})`, () => {
    let t: TestApp;
    let nonces: TestApp;
    let alice: User;
    let aliceSignedIn: SignedIn;
    let spa: TestClient;
    let otherSpa: TestClient;
    let native: TestClient;
    let service: TestClient;
    let dpopPublic: TestClient;
    let dpopService: TestClient;
    let parPublic: TestClient;
    let key: ProofKey;
    let routes: Route[];

    before(async () => {
      const collected = collectRoutes();
      t = await startTestApp({ dialect, listen: true });
      collected.stop();
      routes = collected.routes;
      nonces = await startTestApp({ dialect, listen: true, env: { DPOP_NONCE: 'on' } });
      alice = await createUser(t.deps, `alice-${dialect}@example.com`, 'Alice');
      spa = await createClient(t.deps, { name: 'Board', spa: true, redirectUris: [SPA_REDIRECT] });
      otherSpa = await createClient(t.deps, { name: 'Someone else', spa: true, redirectUris: ['https://other.example/cb'] });
      native = await createClient(t.deps, { name: 'CLI', public: true, redirectUris: [NATIVE_REDIRECT] });
      service = await createClient(t.deps, { name: 'CI', redirectUris: ['https://ci.example/cb'] });
      dpopPublic = await createClient(t.deps, { name: 'Bound CLI', public: true, redirectUris: [NATIVE_REDIRECT] });
      dpopService = await createClient(t.deps, { name: 'Bound CI', redirectUris: ['https://ci.example/cb'] });
      parPublic = await createClient(t.deps, { name: 'Pushed', public: true, redirectUris: [NATIVE_REDIRECT] });
      for (const client of [dpopPublic, dpopService]) await t.deps.stores.apps.update({ ...client.app, dpopBoundAccessTokens: true, deviceFlow: true }, t.clock.now());
      await t.deps.stores.apps.update({ ...native.app, deviceFlow: true }, t.clock.now());
      await t.deps.stores.apps.update({ ...parPublic.app, requirePar: true }, t.clock.now());
      for (const client of [dpopPublic, dpopService, native, parPublic]) t.deps.clients.invalidate(client.clientId);
      const signIn = await t.deps.accounts.signInWithPassword(alice.email, PASSWORD, { interactionId: null, returnTo: null }, { ip: '192.0.2.9', userAgent: 'test' });
      assert.equal(signIn.kind, 'session');
      aliceSignedIn = (await t.deps.accounts.signedIn(signIn.kind === 'session' ? signIn.opened.cookieValue : undefined))!;
      key = await proofKey();
    });
    after(async () => {
      await nonces.close();
      await t.close();
    });

    const tokenUrl = () => `${t.issuer}/token`;

    async function send(app: TestApp, path: string, init: { method?: string; form?: Record<string, string>; headers?: Record<string, string> } = {}): Promise<Answer> {
      const headers: Record<string, string> = { ...init.headers };
      if (init.form) headers['content-type'] = 'application/x-www-form-urlencoded';
      const res = await fetch(app.issuer + path, {
        method: init.method ?? (init.form ? 'POST' : 'GET'),
        headers,
        ...(init.form ? { body: new URLSearchParams(init.form).toString() } : {}),
        redirect: 'manual',
      });
      const text = await res.text();
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(text) as Record<string, unknown>;
      } catch {
        // a page or an empty answer
      }
      return { status: res.status, headers: res.headers, body, text };
    }

    /** POSTs to `path` as `client` (Basic for a confidential client, client_id for a public one). */
    function asClient(client: TestClient, path: string, form: Record<string, string>, headers: Record<string, string> = {}, app: TestApp = t): Promise<Answer> {
      const auth: { body: Record<string, string>; headers: Record<string, string> } =
        client.clientSecret === undefined ? { body: { client_id: client.clientId }, headers: {} } : { body: {}, headers: { authorization: basic(client.clientId, client.clientSecret) } };
      return send(app, path, { form: { ...auth.body, ...form }, headers: { ...auth.headers, ...headers } });
    }

    /** A grant request that cannot succeed, so the answer says only what was made of the proof: invalid_grant means the proof passed. */
    const bogusGrant = { grant_type: 'refresh_token', refresh_token: 'tsr_' + 'A'.repeat(43) };
    async function proofVerdict(dpop: string | string[]): Promise<string> {
      const res = await asClient(native, '/token', bogusGrant, typeof dpop === 'string' ? { dpop } : {});
      return String(res.body.error);
    }

    async function exchange(client: TestClient, dpop?: string, dpopJkt?: string, app: TestApp = t): Promise<Answer> {
      const issued = await issueTestCode(app.deps, { client, user: alice, scopes: SCOPES, ...(dpopJkt ? { dpopJkt } : {}) });
      return asClient(client, '/token', { grant_type: 'authorization_code', code: issued.code, code_verifier: issued.verifier }, dpop ? { dpop } : {}, app);
    }

    async function approvedDeviceCode(client: TestClient): Promise<string> {
      const started = await asClient(client, '/device_authorization', { scope: SCOPES.join(' ') });
      assert.equal(started.status, 200, started.text);
      const deviceCode = String(started.body.device_code);
      const device = (await t.deps.stores.deviceAuthorizations.find(digest(deviceCode)))!;
      const choice = { scopes: device.scopes, terms: { orgIds: 'keep' as const, expiresAt: 'keep' as const } };
      const event = { type: 'grant.approved', userId: alice.id, appId: client.clientId, ip: '192.0.2.9', detail: { app: client.app.name } };
      await decideDevice(t.deps, { device, signedIn: aliceSignedIn, shownScopes: device.scopes, choice, event });
      return deviceCode;
    }

    describe('a hostile client forging DPoP proofs at /token', () => {
      it('htu is compared as a URL: scheme and host case do not matter, query and fragment are ignored; path, case of path, trailing slash, percent-encoding, scheme and host do', async () => {
        const url = new URL(tokenUrl());
        const accepted = [url.href.replace('http://', 'HTTP://'), `${url.href}?x=1`, `${url.href}#f`, `${url.origin}/x/../token`];
        for (const htu of accepted) assert.equal(await proofVerdict(await proof(key, { htm: 'POST', htu })), 'invalid_grant', htu);
        const refused = [`${url.origin}/TOKEN`, `${url.href}/`, `${url.origin}/%74oken`, url.href.replace('http:', 'https:'), url.href.replace('127.0.0.1', 'localhost'), `http://127.0.0.1:${Number(url.port) + 1}/token`, `${url.origin}/token.`];
        for (const htu of refused) assert.equal(await proofVerdict(await proof(key, { htm: 'POST', htu })), 'invalid_dpop_proof', htu);
      });

      it('htm must be exact (post is not POST); iat a number within the window (a string, or 70 s ahead, is not)', async () => {
        const now = Math.floor(Date.now() / 1000);
        assert.equal(await proofVerdict(await proof(key, { htm: 'post', htu: tokenUrl() })), 'invalid_dpop_proof');
        assert.equal(await proofVerdict(await proof(key, { htm: 'POST', htu: tokenUrl(), iat: String(now) as unknown as number })), 'invalid_dpop_proof');
        assert.equal(await proofVerdict(await proof(key, { htm: 'POST', htu: tokenUrl(), iat: now + 70 })), 'invalid_dpop_proof');
      });

      it('a fractional iat (a NumericDate may have one) is a proof like any other, not a 500, at /token and at the API, and it is still refused when replayed', async () => {
        // PostgreSQL refused the fraction in the replay record's bigint column: a 500 for anyone with a public client_id.
        const fractional = await proof(key, { htm: 'POST', htu: tokenUrl(), iat: Math.floor(Date.now() / 1000) + 0.5 });
        assert.equal(await proofVerdict(fractional), 'invalid_grant');
        assert.equal(await proofVerdict(fractional), 'invalid_dpop_proof');
        const at = String((await exchange(native, await proof(key, { htm: 'POST', htu: tokenUrl() }))).body.access_token);
        const atApi = await proof(key, { htm: 'GET', htu: `${t.issuer}/api/v1/me`, accessToken: at, iat: Date.now() / 1000 - 0.25 });
        assert.equal((await send(t, '/api/v1/me', { headers: { authorization: `DPoP ${at}`, dpop: atApi } })).status, 200);
        assert.equal((await send(t, '/api/v1/me', { headers: { authorization: `DPoP ${at}`, dpop: atApi } })).status, 401);
      });

      it('jti empty, 10 kB long, or a number is refused', async () => {
        for (const jti of ['', 'j'.repeat(10_000), 42 as unknown as string]) {
          assert.equal(await proofVerdict(await proof(key, { htm: 'POST', htu: tokenUrl(), jti })), 'invalid_dpop_proof', String(jti).slice(0, 10));
        }
      });

      it('a jwk with a private (d) or symmetric (k) member, or an EC key of another curve, is refused', async () => {
        assert.equal(await proofVerdict(await proof(key, { htm: 'POST', htu: tokenUrl(), header: { jwk: { ...key.publicJwk, d: key.privateJwk.d } } })), 'invalid_dpop_proof');
        assert.equal(await proofVerdict(await proof(key, { htm: 'POST', htu: tokenUrl(), header: { jwk: { ...key.publicJwk, k: 'AAAA' } } })), 'invalid_dpop_proof');
        const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });
        assert.equal(await proofVerdict(rawProof(p384.privateKey, p384.publicKey.export({ format: 'jwk' }), { htm: 'POST', htu: tokenUrl() }, 'ES256')), 'invalid_dpop_proof');
      });

      it('kid, jku and x5c in the header change nothing: the token is bound to the jwk that signed', async () => {
        const res = await exchange(native, await proof(key, { htm: 'POST', htu: tokenUrl(), header: { kid: 'other', jku: 'https://evil.example/jwks', x5c: ['MIIB'] } }));
        assert.equal(res.status, 200, res.text);
        assert.deepEqual(claimsOf(String(res.body.access_token)).cnf, { jkt: key.jkt });
      });

      it('RSA proof keys: 2048 bits with exponent 65537 pass; 1024 bits, more than 4096 bits, or a long public exponent are refused', async () => {
        const claims = { htm: 'POST', htu: tokenUrl() };
        const ordinary = generateKeyPairSync('rsa', { modulusLength: 2048 });
        assert.equal(await proofVerdict(rawProof(ordinary.privateKey, ordinary.publicKey.export({ format: 'jwk' }), claims)), 'invalid_grant');
        const small = generateKeyPairSync('rsa', { modulusLength: 1024 });
        assert.equal(await proofVerdict(rawProof(small.privateKey, small.publicKey.export({ format: 'jwk' }), claims)), 'invalid_dpop_proof');
        // A 2048-bit exponent: each check cost 5 ms of CPU (70 ES256 checks), for anyone with a public client_id.
        const long = rsaWithLongExponent();
        assert.equal(await proofVerdict(rawProof(long.privateKey, long.publicJwk, claims)), 'invalid_dpop_proof');
        // A validly signed 4352-bit proof: a larger key costs more per check, and nobody needs one for DPoP.
        const large = createPrivateKey({ key: RSA_4352_PRIVATE, format: 'jwk' });
        assert.equal(await proofVerdict(rawProof(large, RSA_4352, claims)), 'invalid_dpop_proof');
      });

      it('two DPoP headers are refused, whether sent as two lines or joined', async () => {
        const [a, b] = [await proof(key, { htm: 'POST', htu: tokenUrl() }), await proof(key, { htm: 'POST', htu: tokenUrl() })];
        assert.equal(await proofVerdict(`${a}, ${b}`), 'invalid_dpop_proof');
        const body = new URLSearchParams({ client_id: native.clientId, ...bogusGrant }).toString();
        const answer = await new Promise<string>((resolve, reject) => {
          const req = httpRequest(tokenUrl(), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
            let text = '';
            res.on('data', (chunk: Buffer) => (text += chunk.toString()));
            res.on('end', () => resolve(text));
          });
          req.on('error', reject);
          req.setHeader('dpop', [a, b]);
          req.end(body);
        });
        assert.equal((JSON.parse(answer) as { error: string }).error, 'invalid_dpop_proof');
      });

      it('a replayed proof is refused, and so is its ES256 signature made malleable (s → n − s)', async () => {
        const first = await proof(key, { htm: 'POST', htu: tokenUrl() });
        assert.equal(await proofVerdict(first), 'invalid_grant');
        assert.equal(await proofVerdict(first), 'invalid_dpop_proof');
        const [h, p, s] = first.split('.') as [string, string, string];
        const sig = Buffer.from(s, 'base64url');
        const order = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');
        const flipped = (order - BigInt('0x' + sig.subarray(32).toString('hex'))).toString(16).padStart(64, '0');
        assert.equal(await proofVerdict(`${h}.${p}.${Buffer.concat([sig.subarray(0, 32), Buffer.from(flipped, 'hex')]).toString('base64url')}`), 'invalid_dpop_proof');
      });
    });

    describe('a thief holding a stolen token', () => {
      it('a proof made for /token is refused at the API and /userinfo; one for the API is refused at /userinfo', async () => {
        const res = await exchange(native, await proof(key, { htm: 'POST', htu: tokenUrl() }));
        const at = String(res.body.access_token);
        const forToken = await proof(key, { htm: 'POST', htu: tokenUrl(), accessToken: at });
        assert.equal((await send(t, '/api/v1/me', { headers: { authorization: `DPoP ${at}`, dpop: forToken } })).status, 401);
        const forApi = await proof(key, { htm: 'GET', htu: `${t.issuer}/api/v1/me`, accessToken: at });
        const atUserinfo = await send(t, '/userinfo', { headers: { authorization: `DPoP ${at}`, dpop: forApi } });
        assert.deepEqual([atUserinfo.status, atUserinfo.body.error], [401, 'invalid_dpop_proof']);
      });

      it("the right key with a proof for another of its tokens (ath) is refused; the API path's percent-encoded twin needs its own proof", async () => {
        const one = String((await exchange(native, await proof(key, { htm: 'POST', htu: tokenUrl() }))).body.access_token);
        const two = String((await exchange(native, await proof(key, { htm: 'POST', htu: tokenUrl() }))).body.access_token);
        const me = `${t.issuer}/api/v1/me`;
        const crossed = await send(t, '/api/v1/me', { headers: { authorization: `DPoP ${one}`, dpop: await proof(key, { htm: 'GET', htu: me, accessToken: two }) } });
        assert.deepEqual([crossed.status, crossed.body.code], [401, 'invalid_dpop_proof']);
        const encoded = await send(t, '/api/v1/%6De', { headers: { authorization: `DPoP ${one}`, dpop: await proof(key, { htm: 'GET', htu: me, accessToken: one }) } });
        assert.equal(encoded.status, 401);
        const ok = await send(t, '/api/v1/me', { headers: { authorization: `DPoP ${one}`, dpop: await proof(key, { htm: 'GET', htu: me, accessToken: one }) } });
        assert.equal(ok.status, 200, ok.text);
      });

      it("a public client's bound refresh token with the thief's key is invalid_grant, and the owner's key still refreshes after the attempt", async () => {
        const res = await exchange(native, await proof(key, { htm: 'POST', htu: tokenUrl() }));
        const rt = String(res.body.refresh_token);
        const thief = await proofKey();
        const stolen = await asClient(native, '/token', { grant_type: 'refresh_token', refresh_token: rt }, { dpop: await proof(thief, { htm: 'POST', htu: tokenUrl() }) });
        assert.deepEqual([stolen.status, stolen.body.error], [400, 'invalid_grant']);
        const owner = await asClient(native, '/token', { grant_type: 'refresh_token', refresh_token: rt }, { dpop: await proof(key, { htm: 'POST', htu: tokenUrl() }) });
        assert.equal(owner.status, 200, owner.text);
        assert.deepEqual(claimsOf(String(owner.body.access_token)).cnf, { jkt: key.jkt });
      });

      it("a confidential client's refresh token is unbound but needs the secret: the thief without it gets invalid_client, with any key", async () => {
        const res = await exchange(service, await proof(key, { htm: 'POST', htu: tokenUrl() }));
        const rt = String(res.body.refresh_token);
        const thief = await proofKey();
        const form = { client_id: service.clientId, grant_type: 'refresh_token', refresh_token: rt };
        const stolen = await send(t, '/token', { form, headers: { dpop: await proof(thief, { htm: 'POST', htu: tokenUrl() }) } });
        assert.deepEqual([stolen.status, stolen.body.error], [401, 'invalid_client']);
      });

      it('apps that take only bound tokens get none without a proof, through every grant; with one, the device flow binds the access token and a public client\'s refresh token', async () => {
        for (const client of [dpopPublic, dpopService]) {
          const code = await exchange(client);
          assert.deepEqual([code.status, code.body.error], [400, 'invalid_request'], `${client.app.name} code`);
          const deviceCode = await approvedDeviceCode(client);
          const device = await asClient(client, '/token', { grant_type: DEVICE_GRANT, device_code: deviceCode });
          assert.deepEqual([device.status, device.body.error], [400, 'invalid_request'], `${client.app.name} device`);
          const bound = await asClient(client, '/token', { grant_type: DEVICE_GRANT, device_code: deviceCode }, { dpop: await proof(key, { htm: 'POST', htu: tokenUrl() }) });
          assert.equal(bound.status, 200, bound.text);
          assert.equal(bound.body.token_type, 'DPoP');
          assert.deepEqual(claimsOf(String(bound.body.access_token)).cnf, { jkt: key.jkt });
          const refreshed = await asClient(client, '/token', { grant_type: 'refresh_token', refresh_token: String(bound.body.refresh_token) });
          assert.deepEqual([refreshed.status, refreshed.body.error], [400, 'invalid_request'], `${client.app.name} refresh`);
          const thief = await proofKey();
          const other = await asClient(client, '/token', { grant_type: 'refresh_token', refresh_token: String(bound.body.refresh_token) }, { dpop: await proof(thief, { htm: 'POST', htu: tokenUrl() }) });
          // A public client's refresh token is bound to the key; a confidential client's is not (it authenticates instead).
          if (client === dpopPublic) assert.deepEqual([other.status, other.body.error], [400, 'invalid_grant']);
          else assert.equal(other.status, 200, other.text);
        }
      });

      it('introspection of a bound token says DPoP and its jkt to its own client; to another client it is inactive', async () => {
        const res = await exchange(service, await proof(key, { htm: 'POST', htu: tokenUrl() }));
        const own = await asClient(service, '/introspect', { token: String(res.body.access_token) });
        assert.equal(own.body.token_type, 'DPoP');
        assert.deepEqual(own.body.cnf, { jkt: key.jkt });
        const other = await asClient(dpopService, '/introspect', { token: String(res.body.access_token) });
        assert.deepEqual(other.body, { active: false });
      });
    });

    describe('server nonces (DPOP_NONCE=on)', () => {
      const nonceTokenUrl = () => `${nonces.issuer}/token`;
      let client: TestClient;
      before(async () => {
        client = await createClient(nonces.deps, { name: 'Nonce CLI', public: true, redirectUris: [NATIVE_REDIRECT] });
        await createUser(nonces.deps, alice.email, 'Alice');
      });
      const verdict = async (nonce: string | undefined) => {
        const res = await asClient(client, '/token', bogusGrant, { dpop: await proof(key, { htm: 'POST', htu: nonceTokenUrl(), iat: nonces.clock.now(), ...(nonce === undefined ? {} : { nonce }) }) }, nonces);
        return String(res.body.error);
      };
      it("a nonce from the future, one made with another server's key, or one over ten minutes old is use_dpop_nonce; the current one passes", async () => {
        const first = await asClient(client, '/token', bogusGrant, { dpop: await proof(key, { htm: 'POST', htu: nonceTokenUrl() }) }, nonces);
        assert.equal(first.body.error, 'use_dpop_nonce');
        const current = first.headers.get('dpop-nonce')!;
        assert.equal(await verdict(current), 'invalid_grant');
        const now = nonces.clock.now();
        assert.equal(await verdict(currentDpopNonce(nonces.deps.formKey, now + 600)), 'use_dpop_nonce');
        assert.equal(await verdict(currentDpopNonce(randomBytes(32), now)), 'use_dpop_nonce');
        nonces.clock.advance(601);
        try {
          assert.equal(await verdict(current), 'use_dpop_nonce');
        } finally {
          nonces.clock.advance(-601);
        }
      });
    });

    describe('a thief replaying a refresh token inside the retry grace (REFRESH_TOKEN_REUSE_GRACE=30)', () => {
      let graced: TestApp;
      let cli: TestClient;
      before(async () => {
        graced = await startTestApp({ dialect, listen: true, env: { REFRESH_TOKEN_REUSE_GRACE: '30' } });
        cli = await createClient(graced.deps, { name: 'Graced CLI', public: true, redirectUris: [NATIVE_REDIRECT] });
      });
      after(() => graced.close());

      it("a public client's family bound to a key at its first refresh is not unbound by replaying the unbound predecessor within the grace", async () => {
        const user = await createUser(graced.deps, `grace-${dialect}@example.com`, 'Grace');
        const issued = await issueTestCode(graced.deps, { client: cli, user, scopes: SCOPES });
        const first = await asClient(cli, '/token', { grant_type: 'authorization_code', code: issued.code, code_verifier: issued.verifier }, {}, graced);
        const rt1 = String(first.body.refresh_token);
        // The owner refreshes with a proof: the family is bound to its key from now on.
        const bound = await asClient(cli, '/token', { grant_type: 'refresh_token', refresh_token: rt1 }, { dpop: await proof(key, { htm: 'POST', htu: `${graced.issuer}/token` }) }, graced);
        assert.equal(bound.status, 200, bound.text);
        assert.equal(bound.body.token_type, 'DPoP');
        // The leaked unbound predecessor, replayed within the grace without the key, must not yield an unbound successor.
        const replay = await asClient(cli, '/token', { grant_type: 'refresh_token', refresh_token: rt1 }, {}, graced);
        assert.deepEqual([replay.status, replay.body.error], [400, 'invalid_grant'], replay.text);
        const thief = await proofKey();
        const withOtherKey = await asClient(cli, '/token', { grant_type: 'refresh_token', refresh_token: rt1 }, { dpop: await proof(thief, { htm: 'POST', htu: `${graced.issuer}/token` }) }, graced);
        assert.deepEqual([withOtherKey.status, withOtherKey.body.error], [400, 'invalid_grant'], withOtherKey.text);
        // The owner's bound token still refreshes with its key.
        const owner = await asClient(cli, '/token', { grant_type: 'refresh_token', refresh_token: String(bound.body.refresh_token) }, { dpop: await proof(key, { htm: 'POST', htu: `${graced.issuer}/token` }) }, graced);
        assert.equal(owner.status, 200, owner.text);
      });
    });

    describe('a hostile service pushing requests', () => {
      const push = (client: TestClient, extra: Record<string, string> = {}, withAuth = true) => {
        const verifier = randomBytes(32).toString('base64url');
        const form = { response_type: 'code', redirect_uri: NATIVE_REDIRECT, scope: 'openid', code_challenge: s256(verifier), code_challenge_method: 'S256', state: 's', ...extra };
        return withAuth ? asClient(client, '/par', form) : send(t, '/par', { form: { client_id: client.clientId, ...form } });
      };

      it("another client's client_id: a confidential one needs its secret, and an unregistered redirect_uri is refused when pushed", async () => {
        const confidential = await push(service, { redirect_uri: 'https://ci.example/cb' }, false);
        assert.deepEqual([confidential.status, confidential.body.error], [401, 'invalid_client']);
        const elsewhere = await push(native, { redirect_uri: 'https://evil.example/cb' });
        assert.deepEqual([elsewhere.status, elsewhere.body.error], [400, 'invalid_request']);
      });

      it('a request_uri is taken by the first visit: a second browser during the sign-in gets an error page, and so does the first one afterwards', async () => {
        const pushed = await push(native);
        assert.equal(pushed.status, 201, pushed.text);
        const uri = String(pushed.body.request_uri);
        const first = new Browser(t);
        const page = await first.follow(await first.get(authorizeUrl({ client_id: native.clientId, request_uri: uri })));
        assert.ok(isSignInPage(page));
        const second = new Browser(t);
        await second.signIn(alice.email);
        const stolen = await second.follow(await second.get(authorizeUrl({ client_id: native.clientId, request_uri: uri })));
        assert.equal(redirectLocation(stolen), undefined);
        assert.equal(stolen.statusCode, 400);
        const again = await first.follow(await first.get(authorizeUrl({ client_id: native.clientId, request_uri: uri })));
        assert.equal(redirectLocation(again), undefined);
      });

      it('a request_uri with a trailing space or in upper case is not the pushed request', async () => {
        const uri = String((await push(native)).body.request_uri);
        const browser = new Browser(t);
        await browser.signIn(alice.email);
        for (const variant of [`${uri} `, uri.toUpperCase()]) {
          const res = await browser.get(authorizeUrl({ client_id: native.clientId, request_uri: variant }));
          const location = redirectLocation(res) ?? '';
          assert.doesNotMatch(location, /[?&]code=/, variant);
        }
      });

      it('an app that requires PAR: a front-channel POST /authorize is refused at its redirect URI, and /authorize/resume cannot be entered without an interaction', async () => {
        const browser = new Browser(t);
        await browser.signIn(alice.email);
        const verifier = randomBytes(32).toString('base64url');
        const res = await browser.post('/authorize', { client_id: parPublic.clientId, redirect_uri: NATIVE_REDIRECT, response_type: 'code', scope: 'openid', code_challenge: s256(verifier), code_challenge_method: 'S256', state: 's' });
        const location = new URL(redirectLocation(await browser.follow(res))!);
        assert.equal(location.searchParams.get('error'), 'invalid_request');
        assert.equal(location.searchParams.get('code'), null);
        const resume = await browser.get(`/authorize/resume?interaction=${randomBytes(16).toString('base64url')}`);
        assert.equal(redirectLocation(resume), undefined);
      });
    });

    describe('a hostile web page', () => {
      const preflight = (path: string, origin: string) =>
        send(t, path, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, dpop' } });

      it("only a single-page app's exact origin passes a preflight: null, a lookalike host, a trailing slash, another port or an upper-case host do not", async () => {
        assert.equal((await preflight('/token', SPA_ORIGIN)).headers.get('access-control-allow-origin'), SPA_ORIGIN);
        for (const origin of ['null', `${SPA_ORIGIN}.evil.example`, `${SPA_ORIGIN}/`, 'http://127.0.0.1:8091', 'HTTP://127.0.0.1:8090', 'http://localhost:8090']) {
          const res = await preflight('/token', origin);
          assert.equal(res.headers.get('access-control-allow-origin'), null, origin);
        }
      });

      it("a preflight from a single-page app's origin passes, but the POST naming a confidential, native or other single-page app is not readable", async () => {
        for (const client of [service, native, otherSpa]) {
          const res = await send(t, '/token', { form: { client_id: client.clientId, ...bogusGrant }, headers: { origin: SPA_ORIGIN } });
          assert.equal(res.headers.get('access-control-allow-origin'), null, client.app.name);
        }
        const own = await send(t, '/token', { form: { client_id: spa.clientId, ...bogusGrant }, headers: { origin: SPA_ORIGIN } });
        assert.equal(own.headers.get('access-control-allow-origin'), SPA_ORIGIN);
      });

      it("walking the route table: outside /token, /revoke, /par, /userinfo, discovery, the JWKS and /api/v1, no route answers CORS to a single-page app's origin, and no answer anywhere allows credentials", async () => {
        const allowed = new Set(['/token', '/revoke', '/par', '/userinfo', '/.well-known/oauth-authorization-server', '/.well-known/openid-configuration', '/.well-known/jwks.json']);
        const paths = [...new Set(routes.map((r) => r.url.replace(/:[A-Za-z_]+/g, 'x').replace(/\*$/, 'x')))];
        assert.ok(paths.includes('/par') && paths.includes('/developers/api/v1/apps'), 'the route table was collected');
        const browser = new Browser(t);
        await browser.signIn(alice.email);
        const cookie = [...browser.cookies.values()].map((c) => `${c.name}=${c.value}`).join('; ');
        for (const path of paths) {
          const answers = [await preflight(path, SPA_ORIGIN), await send(t, path, { headers: { origin: SPA_ORIGIN, cookie } })];
          for (const res of answers) {
            assert.equal(res.headers.get('access-control-allow-credentials'), null, path);
            if (allowed.has(path) || path.startsWith('/api/v1/')) continue;
            assert.equal(res.headers.get('access-control-allow-origin'), null, `${path} answered CORS`);
          }
        }
      });

      it("the portal's JSON API, read with the person's cookie, gives a page on another origin nothing", async () => {
        const browser = new Browser(t);
        await browser.signIn(alice.email);
        const cookie = [...browser.cookies.values()].map((c) => `${c.name}=${c.value}`).join('; ');
        const res = await send(t, '/developers/api/v1/apps', { headers: { origin: 'https://evil.example', cookie } });
        assert.equal(res.headers.get('access-control-allow-origin'), null);
        const pre = await send(t, '/developers/api/v1/apps', { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' } });
        assert.equal(pre.headers.get('access-control-allow-origin'), null);
      });

      it("the API's * reads no cookie: with only the person's session cookie, a page gets 401", async () => {
        const browser = new Browser(t);
        await browser.signIn(alice.email);
        const cookie = [...browser.cookies.values()].map((c) => `${c.name}=${c.value}`).join('; ');
        const res = await send(t, '/api/v1/me', { headers: { origin: 'https://evil.example', cookie } });
        assert.equal(res.status, 401);
        assert.equal(res.headers.get('access-control-allow-origin'), '*');
        assert.equal(res.headers.get('access-control-allow-credentials'), null);
      });

      it("a single-page app's unbound family still ends 24 h after its first token when it is rotated every 6 h", async () => {
        let rt = String((await exchange(spa)).body.refresh_token);
        const start = t.clock.now();
        try {
          for (let i = 0; i < 3; i++) {
            t.clock.advance(6 * 3600);
            const res = await asClient(spa, '/token', { grant_type: 'refresh_token', refresh_token: rt });
            assert.equal(res.status, 200, res.text);
            rt = String(res.body.refresh_token);
          }
          t.clock.advance(24 * 3600 - (t.clock.now() - start) + 1);
          const late = await asClient(spa, '/token', { grant_type: 'refresh_token', refresh_token: rt });
          assert.deepEqual([late.status, late.body.error], [400, 'invalid_grant']);
        } finally {
          t.clock.advance(start - t.clock.now());
        }
      });
    });
  });
}
