/**
 * SECURITY 40–44 by property-based fuzzing (fast-check): every OAuth/OIDC endpoint — /authorize
 * (GET and POST), /token (each grant type), /revoke, /introspect, /userinfo, and dynamic client
 * registration (/register, /register/:id) — gets requests that start valid and are then broken:
 * parameters dropped, emptied, doubled, bracketed, replaced by hostile bytes (NUL, lone surrogates,
 * overlong UTF-8, RTL overrides, emoji, 8 kB values), polluting keys added, and the whole sent in
 * the query, the body, both, or in the wrong content type. Every answer must be the endpoint's own
 * success or a 4xx with an RFC 6749 §5.2 / 6750 / 7009 / 7662 / 7591 `error`; no 5xx; no stack,
 * SQL or path; and a refused request must leave every state table exactly as it was.
 * Seed and size: test/support/fuzz.ts (FUZZ_SEED, FUZZ_RUNS).
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { PASSWORD, createClient, createUser, type TestClient } from '../support/fixtures.ts';
import { basic, issueTestCode, obtainTokens } from '../support/codes.ts';
import { Browser, codeRequest } from '../support/browser.ts';
import { digest } from '../../src/crypto/digest.ts';
import { randomToken } from '../../src/crypto/random.ts';
import type { User } from '../../src/domain/users.ts';
import { OAUTH_ERRORS, SECRETS, StateGuard, assertPrototypeClean, carrier, fuzz, hostileJson, hostileParams, hostileValue, requestFor, type Pair } from '../support/fuzz.ts';

const REDIRECT = 'https://app.example/cb';
/** Generous throttles: the fuzz must reach the validators, not the 429 in front of them. */
const ENV = {
  DYNAMIC_REGISTRATION: 'on',
  THROTTLE_CLIENT_AUTH: '1000000/60',
  THROTTLE_CLIENT_AUTH_PER_IP: '1000000/60',
  THROTTLE_INVALID_GRANT: '1000000/60',
  THROTTLE_INVALID_GRANT_PER_IP: '1000000/60',
  THROTTLE_INTROSPECTION: '1000000/60',
};

/** Half the back-channel cases are forms (so they reach the validators), the rest other carriers. */
const FORM_HEAVY = ['form', 'form', 'form', 'form', 'form', 'form+query', 'query', 'json', 'text', 'latin1'] as const;

/** How the client presents itself: rightly, wrongly, oddly, or not at all. */
function clientAuthArb(c: TestClient, p: TestClient): fc.Arbitrary<{ headers: Record<string, string>; pairs: Pair[] }> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.constant({ headers: { authorization: basic(c.clientId, c.clientSecret!) }, pairs: [] as Pair[] }) },
    { weight: 1, arbitrary: fc.constant({ headers: {}, pairs: [['client_id', c.clientId], ['client_secret', encodeURIComponent(c.clientSecret!)]] as Pair[] }) },
    { weight: 1, arbitrary: fc.constant({ headers: {}, pairs: [['client_id', p.clientId]] as Pair[] }) },
    { weight: 1, arbitrary: fc.constant({ headers: {}, pairs: [] as Pair[] }) },
    { weight: 1, arbitrary: hostileValue.map((v) => ({ headers: { authorization: 'Basic ' + Buffer.from(`${c.clientId}:${v}`).toString('base64') }, pairs: [] as Pair[] })) },
    { weight: 1, arbitrary: fc.constant({ headers: { authorization: basic(c.clientId, c.clientSecret!) }, pairs: [['client_id', c.clientId], ['client_secret', 'wrong']] as Pair[] }) },
    { weight: 1, arbitrary: fc.constantFrom('Basic', 'Basic ', 'Basic Og==', 'Basic %%%', 'Bearer x', 'Basic ' + Buffer.from('__proto__:constructor').toString('base64')).map((a) => ({ headers: { authorization: a }, pairs: [] as Pair[] })) },
  );
}

/** An OAuth error in a redirect to the client must be a registered code (RFC 6749 §4.1.2.1). */
function checkRedirectError(res: LightMyRequestResponse, label: string): void {
  const location = res.headers.location;
  if (typeof location !== 'string' || !location.startsWith(REDIRECT)) return;
  const error = new URL(location).searchParams.get('error');
  if (error !== null) assert.ok(OAUTH_ERRORS.has(error), `${label}: error=${error} in the redirect`);
}

for (const dialect of dialects()) {
  describe(`SECURITY 40–44 fuzzing: OAuth endpoints (${dialect})`, () => {
    let t: TestApp;
    let alice: User;
    let c1: TestClient;
    let p1: TestClient;
    let guard: StateGuard;
    let sessionCookie: string;
    const counts: Record<string, number> = {};

    before(async () => {
      t = await startTestApp({ dialect, env: ENV });
      alice = await createUser(t.deps, 'alice@example.com', 'Alice');
      c1 = await createClient(t.deps, { redirectUris: [REDIRECT] });
      p1 = await createClient(t.deps, { redirectUris: [REDIRECT], public: true });
      const browser = new Browser(t);
      assert.equal((await browser.signIn('alice@example.com')).statusCode, 303);
      const cookie = browser.sessionCookie()!;
      sessionCookie = `${cookie.name}=${cookie.value}`;
      guard = new StateGuard(t);
      // SECURITY 44/45: no answer may echo the client secret or the password.
      SECRETS.add(c1.clientSecret!);
      SECRETS.add(PASSWORD);
    });
    after(async () => {
      // SECURITY 43: the server runs in this process; nothing reached Object.prototype.
      assertPrototypeClean();
      await t?.close();
    });

    for (const method of ['GET', 'POST'] as const) {
      it(`${method} /authorize: hostile parameters give the sign-in or approval page, an error page, or an error at the redirect`, async () => {
        const { params } = codeRequest(c1.clientId, REDIRECT, { nonce: 'n-1', prompt: 'consent' });
        const carriers = method === 'GET' ? (['query'] as const) : (['form', 'form+query', 'json', 'text', 'latin1'] as const);
        const arb = fc.record({
          pairs: hostileParams(params, ['max_age', 'login_hint', 'request', 'request_uri', 'response_mode', 'claims', 'ui_locales', 'id_token_hint', 'acr_values']),
          how: carrier(carriers),
          signedIn: fc.boolean(),
        });
        await guard.reset();
        counts[`${method} /authorize`] = await (guard.group = `${method} /authorize`, fuzz)(`${method} /authorize`, arb, async ({ pairs, how, signedIn }) => {
          const options = requestFor(method, '/authorize', pairs, how, signedIn ? { cookie: sessionCookie } : {});
          const label = `${method} /authorize ${how} ${String(options.url).slice(0, 120)} ${String(options.payload ?? '').slice(0, 200)}`;
          // A request that is still valid may show a page (and open an interaction): not a refusal.
          const res = await guard.send(options, 'page', label, [200, 302, 303]);
          checkRedirectError(res, label);
        });
      });
    }

    it('POST /token authorization_code: a broken redemption is refused with an OAuth error and consumes nothing', async () => {
      const arb = fc.record({ mutate: fc.integer({ min: 0, max: 1 << 30 }), auth: clientAuthArb(c1, p1), how: carrier(FORM_HEAVY) });
      counts['/token authorization_code'] = await (guard.group = '/token authorization_code', fuzz)('/token authorization_code', arb, async ({ mutate, auth, how }) => {
        // A fresh code each run: reuse of a redeemed code legitimately revokes its family (RFC 6749 §4.1.2).
        const issued = await issueTestCode(t.deps, { client: c1, user: alice, scopes: ['openid', 'offline_access'], redirectUri: REDIRECT });
        const pairs = fc.sample(hostileParams({ grant_type: 'authorization_code', code: issued.code, code_verifier: issued.verifier, redirect_uri: REDIRECT }, ['scope', 'client_id', 'resource']), { seed: mutate, numRuns: 1 })[0]!;
        await guard.reset();
        const options = requestFor('POST', '/token', [...auth.pairs, ...pairs], how, auth.headers);
        await guard.send(options, 'oauth', `/token code ${how} ${JSON.stringify(auth.headers)} ${String(options.payload ?? options.url).slice(0, 300)}`, [200]);
      });
    });

    it('POST /token refresh_token: a broken refresh is refused with an OAuth error and rotates nothing', async () => {
      const arb = fc.record({ mutate: fc.integer({ min: 0, max: 1 << 30 }), auth: clientAuthArb(c1, p1), how: carrier(FORM_HEAVY) });
      counts['/token refresh_token'] = await (guard.group = '/token refresh_token', fuzz)('/token refresh_token', arb, async ({ mutate, auth, how }) => {
        // Fresh tokens each run: presenting a rotated refresh token legitimately revokes its family (RFC 9700 §4.14.2).
        const tokens = await obtainTokens(t, { client: c1, user: alice, scopes: ['openid', 'offline_access', 'profile'] });
        const pairs = fc.sample(hostileParams({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token, scope: 'openid' }, ['client_id', 'resource']), { seed: mutate, numRuns: 1 })[0]!;
        await guard.reset();
        const options = requestFor('POST', '/token', [...auth.pairs, ...pairs], how, auth.headers);
        await guard.send(options, 'oauth', `/token refresh ${how} ${JSON.stringify(auth.headers)} ${String(options.payload ?? options.url).slice(0, 300)}`, [200]);
      });
    });

    it('POST /token with other grant types (client_credentials, password, device code, jwt-bearer, hostile): never a token', async () => {
      const grantType = fc.oneof(
        fc.constantFrom('client_credentials', 'password', 'implicit', 'urn:ietf:params:oauth:grant-type:device_code', 'urn:ietf:params:oauth:grant-type:jwt-bearer', 'urn:ietf:params:oauth:grant-type:token-exchange', 'AUTHORIZATION_CODE', 'refresh_token%00', '__proto__', 'constructor'),
        hostileValue,
      );
      const arb = fc.record({
        grantType,
        pairs: hostileParams({ username: 'alice@example.com', password: 'correct horse battery staple', scope: 'openid', assertion: 'x.y.z', device_code: 'x' }),
        auth: clientAuthArb(c1, p1),
        how: carrier(['form', 'form', 'json', 'query']),
      });
      await guard.reset();
      counts['/token other grants'] = await (guard.group = '/token other grants', fuzz)('/token other grants', arb, async ({ grantType, pairs, auth, how }) => {
        const options = requestFor('POST', '/token', [...auth.pairs, ['grant_type', grantType], ...pairs], how, auth.headers);
        await guard.send(options, 'oauth', `/token other ${how} ${String(options.payload ?? options.url).slice(0, 300)}`, [], () => true);
      });
    });

    it('POST /revoke: hostile input revokes nothing unless it names a token of the caller', async () => {
      let tokens = await obtainTokens(t, { client: c1, user: alice, scopes: ['openid', 'offline_access'] });
      const arb = fc.record({ mutate: fc.integer({ min: 0, max: 1 << 30 }), which: fc.constantFrom('refresh_token', 'access_token') as fc.Arbitrary<'refresh_token' | 'access_token'>, auth: clientAuthArb(c1, p1), how: carrier(FORM_HEAVY) });
      await guard.reset();
      counts['/revoke'] = await (guard.group = '/revoke', fuzz)('/revoke', arb, async ({ mutate, which, auth, how }) => {
        const pairs = fc.sample(hostileParams({ token: tokens[which], token_type_hint: which }), { seed: mutate, numRuns: 1 })[0]!;
        const options = requestFor('POST', '/revoke', [...auth.pairs, ...pairs], how, auth.headers);
        // RFC 7009 §2.2: 200 for a revoked or an unknown token alike; only a 200 may change state.
        const res = await guard.send(options, 'oauth', `/revoke ${how} ${String(options.payload ?? options.url).slice(0, 300)}`, [200]);
        // A revocation that took effect (the whole family goes, RFC 7009 §2.1): new tokens for the next runs.
        if (res.statusCode === 200 && (await t.deps.stores.tokens.findRefresh(digest(tokens.refresh_token)))?.revokedAt !== null) {
          tokens = await obtainTokens(t, { client: c1, user: alice, scopes: ['openid', 'offline_access'] });
          await guard.reset();
        }
      });
    });

    it('POST /introspect: hostile input is answered active:false or with an OAuth error, and never changes state', async () => {
      const tokens = await obtainTokens(t, { client: c1, user: alice, scopes: ['openid', 'offline_access'] });
      const arb = fc.record({ pairs: hostileParams({ token: tokens.access_token, token_type_hint: 'access_token' }), auth: clientAuthArb(c1, p1), how: carrier(FORM_HEAVY) });
      await guard.reset();
      counts['/introspect'] = await (guard.group = '/introspect', fuzz)('/introspect', arb, async ({ pairs, auth, how }) => {
        const options = requestFor('POST', '/introspect', [...auth.pairs, ...pairs], how, auth.headers);
        const label = `/introspect ${how} ${String(options.payload ?? options.url).slice(0, 300)}`;
        const res = await guard.send(options, 'oauth', label, [200], () => true);
        if (res.statusCode === 200) assert.equal(typeof res.json().active, 'boolean', label);
      });
    });

    for (const method of ['GET', 'POST'] as const) {
      it(`${method} /userinfo: hostile tokens and parameters get 401/400 with an RFC 6750 error, never claims of someone else`, async () => {
        const tokens = await obtainTokens(t, { client: c1, user: alice, scopes: ['openid', 'profile', 'email'] });
        const header = fc.oneof(
          fc.constant(`Bearer ${tokens.access_token}`),
          hostileValue.map((v) => `Bearer ${v}`),
          fc.constantFrom('Bearer', 'Bearer ', `bearer  ${tokens.access_token}`, `Bearer ${tokens.access_token}x`, `Bearer ${tokens.access_token.slice(0, -2)}`, `Basic ${tokens.access_token}`, `Bearer ${tokens.access_token}, Bearer x`, 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.'),
          fc.constant(undefined),
        );
        const arb = fc.record({ header, pairs: hostileParams({ access_token: tokens.access_token, schema: 'openid' }), how: carrier(method === 'GET' ? ['query'] : ['form', 'form+query', 'json', 'text']) });
        await guard.reset();
        counts[`${method} /userinfo`] = await (guard.group = `${method} /userinfo`, fuzz)(`${method} /userinfo`, arb, async ({ header, pairs, how }) => {
          const options = requestFor(method, '/userinfo', pairs, how, header === undefined ? {} : { authorization: header });
          const label = `${method} /userinfo ${how} ${header?.slice(0, 80)} ${String(options.payload ?? options.url).slice(0, 200)}`;
          const res = await guard.send(options, 'oauth', label, [200], () => true);
          if (res.statusCode === 200) assert.equal(res.json().sub, alice.id, label);
          if (res.statusCode === 401) assert.match(String(res.headers['www-authenticate']), /^Bearer/, label);
        });
      });
    }

    it('POST /register and /register/:id (RFC 7591/7592): hostile metadata and tokens are refused and spend no initial access token', async () => {
      const METADATA = { client_name: 'Chat Bot', redirect_uris: ['https://bot.example/cb'], grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], scope: 'openid orgs:read offline_access', client_uri: 'https://bot.example/', token_endpoint_auth_method: 'client_secret_basic', application_type: 'web' };
      const newInitial = async () => {
        const token = randomToken('initialAccessToken');
        await t.deps.stores.apps.createRegistrationToken({ digest: digest(token), kind: 'initial', appId: null, expiresAt: null }, t.clock.now());
        return token;
      };
      let initial = await newInitial();
      const arb = fc.record({
        body: hostileJson(METADATA),
        token: fc.oneof({ weight: 4, arbitrary: fc.constant('INITIAL') }, { weight: 1, arbitrary: hostileValue }, { weight: 1, arbitrary: fc.constant(randomToken('initialAccessToken')) }),
        target: fc.constantFrom('POST /register', 'POST /register', 'POST /register', 'GET /register/ID', 'PUT /register/ID', 'DELETE /register/ID'),
        contentType: fc.constantFrom('application/json', 'application/json', 'application/json', 'application/x-www-form-urlencoded', 'text/plain'),
      });
      await guard.reset();
      counts['/register'] = await (guard.group = '/register', fuzz)('/register', arb, async ({ body, token: sent, target, contentType }) => {
        const token = sent === 'INITIAL' ? initial : sent;
        const [method, path] = target.split(' ') as ['GET' | 'POST' | 'PUT' | 'DELETE', string];
        const url = path.replace('ID', c1.clientId);
        const options = { method, url, headers: { authorization: `Bearer ${token}`, ...(method === 'GET' || method === 'DELETE' ? {} : { 'content-type': contentType }) }, payload: method === 'GET' || method === 'DELETE' ? undefined : body };
        const label = `${target} ${contentType} ${token.slice(0, 20)} ${body.slice(0, 300)}`;
        const res = await guard.send(options, 'oauth', label, [200, 201, 204]);
        // c1 was made by the operator, not registered: no token manages it.
        if (path.includes('ID')) assert.ok(res.statusCode >= 400, label);
        if (res.statusCode === 201) {
          // A valid registration spends the initial token: make another for the next runs.
          assert.equal(res.json().client_id === c1.clientId, false);
          initial = await newInitial();
          await guard.reset();
        }
      });
    });

    it('afterwards the fixture client still completes a redemption, and the process prototype is clean', async (ctx) => {
      ctx.diagnostic(`seed ${process.env.FUZZ_SEED ?? 20261129}; generated requests: ${JSON.stringify(counts)}; statuses: ${JSON.stringify(guard.tally)}`);
      const tokens = await obtainTokens(t, { client: c1, user: alice, scopes: ['openid'] });
      assert.match(tokens.access_token, /\./);
      assertPrototypeClean();
    });
  });
}
