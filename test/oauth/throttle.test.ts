/**
 * Brute-force protection at /token, /revoke and /introspect (SECURITY 15, 21): failed client
 * authentications are throttled per (client, address) so another client — or the same client
 * elsewhere — is never affected; guessed codes and refresh tokens, and introspection floods of
 * non-tokens, get 429 with Retry-After. A forged X-Forwarded-For changes nothing.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createClient, createParties, createUser, type TestClient } from '../support/fixtures.ts';
import { basic, issueTestCode } from '../support/codes.ts';
import { randomToken } from '../../src/crypto/random.ts';
import type { User } from '../../src/domain/users.ts';

const ATTACKER = '198.51.100.66';
const ELSEWHERE = '203.0.113.10';

type Res = Awaited<ReturnType<TestApp['app']['inject']>>;

function post(t: TestApp, url: string, form: Record<string, string>, options: { ip?: string; auth?: string; headers?: Record<string, string> } = {}): Promise<Res> {
  return t.app.inject({
    method: 'POST',
    url,
    remoteAddress: options.ip ?? ATTACKER,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(options.auth ? { authorization: options.auth } : {}),
      ...options.headers,
    },
    payload: new URLSearchParams(form).toString(),
  });
}

function assertThrottled(res: Res): void {
  assert.equal(res.statusCode, 429, res.body);
  assert.deepEqual(res.json(), { error: 'invalid_request', error_description: 'Too many attempts; try again later.' });
  assert.match(String(res.headers['retry-after']), /^[1-9]\d*$/);
  assert.equal(res.headers['cache-control'], 'no-store');
}

/**
 * Asserts a token bucket of `count` per `seconds` let through `count` plus at most what refilled
 * while the requests ran (the test clock follows real time), and refused the rest.
 */
function assertBucket(statuses: number[], okStatus: number, count: number, seconds: number, startedMs: number): void {
  const c = counts(statuses);
  const refilled = Math.ceil(((Date.now() - startedMs) / 1000) * (count / seconds)) + 1;
  const allowed = c[okStatus] ?? 0;
  assert.ok(allowed >= count && allowed <= count + refilled, `${allowed} allowed, expected ${count} (+ up to ${refilled} refilled)`);
  assert.ok((c[429] ?? 0) > 0 && (c[429] ?? 0) === statuses.length - allowed, `the rest get 429: ${JSON.stringify(c)}`);
  assert.equal(statuses.slice(0, count).filter((s) => s !== okStatus).length, 0, 'the first ones are answered normally');
}

function counts(statuses: number[]): Record<number, number> {
  const out: Record<number, number> = {};
  for (const s of statuses) out[s] = (out[s] ?? 0) + 1;
  return out;
}

for (const dialect of dialects()) {
  describe(`back-channel throttling with the default limits (${dialect})`, () => {
    let t: TestApp;
    let alice: User;
    let c1: TestClient;
    let c2: TestClient;
    let p1: TestClient;

    before(async () => {
      t = await startTestApp({ dialect });
      ({ alice, c1, c2, p1 } = await createParties(t.deps));
    });
    after(() => t.close());

    const exchange = async (client: TestClient, ip: string, headers: Record<string, string> = {}) => {
      const issued = await issueTestCode(t.deps, { client, user: alice, scopes: ['openid'] });
      return post(t, '/token', { grant_type: 'authorization_code', code: issued.code, code_verifier: issued.verifier }, {
        ip,
        auth: basic(client.clientId, client.clientSecret!),
        headers,
      });
    };

    it('100 bad secrets for C1 within 60 s get 429 while C2 — and C1 from elsewhere — still work', async () => {
      const statuses: number[] = [];
      const started = Date.now();
      for (let i = 0; i < 100; i++) {
        const res = await post(t, '/token', { grant_type: 'authorization_code', code: 'x', code_verifier: 'y' }, {
          auth: basic(c1.clientId, `tss_wrong_${i}`),
        });
        statuses.push(res.statusCode);
        if (i === 99) assertThrottled(res);
      }
      // Ten failures, then refused before the secret is checked.
      assertBucket(statuses, 401, 10, 60, started);

      assert.equal((await exchange(c2, ATTACKER)).statusCode, 200, 'another client on the same address is unaffected');
      assert.equal((await exchange(c1, ELSEWHERE)).statusCode, 200, 'C1 from another address is unaffected');
      assertThrottled(await exchange(c1, ATTACKER));

      // The same counters apply at /revoke and /introspect.
      assertThrottled(await post(t, '/revoke', { token: 'x' }, { auth: basic(c1.clientId, c1.clientSecret!) }));
      assertThrottled(await post(t, '/introspect', { token: 'x' }, { auth: basic(c1.clientId, c1.clientSecret!) }));
    });

    it('a forged X-Forwarded-For does not reset the counters (TRUST_PROXY is off)', async () => {
      for (const forwarded of ['203.0.113.99', '10.0.0.1, 203.0.113.98', ELSEWHERE]) {
        assertThrottled(await exchange(c1, ATTACKER, { 'x-forwarded-for': forwarded, 'x-real-ip': forwarded }));
      }
    });

    it('the throttle lifts once the attempts have aged out', async () => {
      t.clock.advance(10 * 60);
      assert.equal((await exchange(c1, ATTACKER)).statusCode, 200);
    });

    it('1000 random code and refresh_token guesses in a minute get 429; other clients are unaffected', async () => {
      const statuses: number[] = [];
      const started = Date.now();
      // The last refusal, not the last answer: one refills every 0.6 s, so the flood's last request
      // may be let through (assertBucket counts that).
      let refused: Res | undefined;
      for (let i = 0; i < 1000; i++) {
        const form: Record<string, string> = i % 2 === 0
          ? { grant_type: 'authorization_code', code: randomToken('authorizationCode'), code_verifier: 'v'.repeat(43) }
          : { grant_type: 'refresh_token', refresh_token: randomToken('refreshToken') };
        const res = await post(t, '/token', form, { auth: basic(c1.clientId, c1.clientSecret!) });
        statuses.push(res.statusCode);
        if (res.statusCode === 429) refused = res;
      }
      assertBucket(statuses, 400, 100, 60, started);
      assertThrottled(refused!);
      assert.equal((await exchange(c2, ATTACKER)).statusCode, 200, 'C2 on the same address still works');
    });

    it('guesses naming a public client throttle that client only at the guessing address', async () => {
      const statuses: number[] = [];
      const started = Date.now();
      for (let i = 0; i < 120; i++) {
        const res = await post(t, '/token', { grant_type: 'refresh_token', refresh_token: randomToken('refreshToken'), client_id: p1.clientId }, { ip: '192.0.2.50' });
        statuses.push(res.statusCode);
      }
      assertBucket(statuses, 400, 100, 60, started);
      const elsewhere = await post(t, '/token', { grant_type: 'refresh_token', refresh_token: randomToken('refreshToken'), client_id: p1.clientId }, { ip: '192.0.2.51' });
      assert.equal(elsewhere.statusCode, 400, 'P1 elsewhere gets an ordinary answer');
      assert.equal(elsewhere.json().error, 'invalid_grant');
    });

    it('an introspection flood of guesses gets 429 (SECURITY 21)', async () => {
      const statuses: number[] = [];
      const started = Date.now();
      // Until the first 429 (the bucket refills while a slow database answers), then a few more.
      for (let i = 0; i < 3000 && statuses.filter((s) => s === 429).length < 20; i++) {
        const res = await post(t, '/introspect', { token: `guess.${i}.x` }, { auth: basic(c2.clientId, c2.clientSecret!) });
        statuses.push(res.statusCode);
      }
      assertBucket(statuses, 200, 1000, 60, started);
      // The allowance is the client's, wherever it calls from: elsewhere it gets only what refills
      // (one every 60 ms) between requests — on a slow machine that can be one, never many.
      const elsewhereStarted = Date.now();
      let elsewhere: Res | undefined;
      let allowedElsewhere = 0;
      for (let i = 0; i < 20; i++) {
        elsewhere = await post(t, '/introspect', { token: 'x' }, { auth: basic(c2.clientId, c2.clientSecret!), ip: ELSEWHERE });
        if (elsewhere.statusCode === 429) break;
        allowedElsewhere++;
      }
      assertThrottled(elsewhere!);
      const refilled = Math.ceil(((Date.now() - elsewhereStarted) / 1000) * (1000 / 60)) + 1;
      assert.ok(allowedElsewhere <= refilled, `${allowedElsewhere} allowed elsewhere, at most ${refilled} refilled`);
      // Another client's allowance is its own.
      const other = await post(t, '/introspect', { token: 'x' }, { auth: basic(c1.clientId, c1.clientSecret!), ip: ELSEWHERE });
      assert.equal(other.statusCode, 200);
      assert.deepEqual(other.json(), { active: false });
    });
  });

  describe(`back-channel throttling with small limits (${dialect})`, () => {
    let t: TestApp;
    let alice: User;
    let c1: TestClient;
    let clients: TestClient[];

    before(async () => {
      t = await startTestApp({
        dialect,
        env: {
          THROTTLE_CLIENT_AUTH: '3/60',
          THROTTLE_CLIENT_AUTH_PER_IP: '5/60',
          THROTTLE_INVALID_GRANT: '4/60',
          THROTTLE_INVALID_GRANT_PER_IP: '6/60',
          THROTTLE_INTROSPECTION: '3/60',
        },
      });
      alice = await createUser(t.deps, 'alice@example.com');
      c1 = await createClient(t.deps);
      clients = [];
      for (let i = 0; i < 3; i++) clients.push(await createClient(t.deps));
    });
    after(() => t.close());

    it('failures spread over many client ids throttle the address', async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 8; i++) {
        const res = await post(t, '/revoke', { token: 'x' }, { auth: basic(`unknown-client-${i}`, 'tss_wrong'), ip: '192.0.2.1' });
        statuses.push(res.statusCode);
      }
      assert.deepEqual(counts(statuses), { 401: 5, 429: 3 });
      assertThrottled(await post(t, '/revoke', { token: 'x' }, { auth: basic(c1.clientId, c1.clientSecret!), ip: '192.0.2.1' }));
      const ok = await post(t, '/revoke', { token: 'x' }, { auth: basic(c1.clientId, c1.clientSecret!), ip: '192.0.2.2' });
      assert.equal(ok.statusCode, 200);
    });

    it('an unknown client id and a wrong secret are throttled alike (nothing to enumerate)', async () => {
      const unknown: number[] = [];
      const wrong: number[] = [];
      for (let i = 0; i < 4; i++) {
        unknown.push((await post(t, '/token', { grant_type: 'refresh_token', refresh_token: 'x' }, { auth: basic('no-such-client', 'tss_x'), ip: '192.0.2.3' })).statusCode);
        wrong.push((await post(t, '/token', { grant_type: 'refresh_token', refresh_token: 'x' }, { auth: basic(c1.clientId, 'tss_x'), ip: '192.0.2.4' })).statusCode);
      }
      assert.deepEqual(unknown, [401, 401, 401, 429]);
      assert.deepEqual(wrong, unknown);
    });

    it('invalid_grant answers are counted per address across clients', async () => {
      const statuses: number[] = [];
      for (const client of clients) {
        for (let i = 0; i < 3; i++) {
          const res = await post(t, '/token', { grant_type: 'refresh_token', refresh_token: randomToken('refreshToken') }, {
            auth: basic(client.clientId, client.clientSecret!),
            ip: '192.0.2.5',
          });
          statuses.push(res.statusCode);
        }
      }
      assert.deepEqual(counts(statuses), { 400: 6, 429: 3 });
      const issued = await issueTestCode(t.deps, { client: c1, user: alice, scopes: ['openid'] });
      const form = { grant_type: 'authorization_code', code: issued.code, code_verifier: issued.verifier };
      assertThrottled(await post(t, '/token', form, { auth: basic(c1.clientId, c1.clientSecret!), ip: '192.0.2.5' }));
      assert.equal((await post(t, '/token', form, { auth: basic(c1.clientId, c1.clientSecret!), ip: '192.0.2.6' })).statusCode, 200, 'refused before the code was touched');
    });

    it('expired and revoked tokens are not guesses at /introspect; garbage is', async () => {
      const auth = basic(c1.clientId, c1.clientSecret!);
      const issued = await issueTestCode(t.deps, { client: c1, user: alice, scopes: ['openid'] });
      const token = await post(t, '/token', { grant_type: 'authorization_code', code: issued.code, code_verifier: issued.verifier }, { auth, ip: '192.0.2.7' });
      assert.equal(token.statusCode, 200, token.body);
      const accessToken = token.json().access_token as string;
      t.clock.advance(2 * 3600);
      for (let i = 0; i < 5; i++) {
        const res = await post(t, '/introspect', { token: accessToken }, { auth, ip: '192.0.2.7' });
        assert.equal(res.statusCode, 200, 'an expired token is not counted');
        assert.deepEqual(res.json(), { active: false });
      }
      for (let i = 0; i < 3; i++) assert.equal((await post(t, '/introspect', { token: 'garbage' }, { auth, ip: '192.0.2.7' })).statusCode, 200);
      assertThrottled(await post(t, '/introspect', { token: accessToken }, { auth, ip: '192.0.2.7' }));
    });
  });

  describe(`TRUST_PROXY (${dialect})`, () => {
    let t: TestApp;
    let c1: TestClient;

    before(async () => {
      t = await startTestApp({ dialect, env: { TRUST_PROXY: '10.0.0.1', THROTTLE_CLIENT_AUTH: '2/60' } });
      c1 = await createClient(t.deps);
    });
    after(() => t.close());

    const fail = (ip: string, forwarded: string) =>
      post(t, '/revoke', { token: 'x' }, { auth: basic(c1.clientId, 'tss_wrong'), ip, headers: { 'x-forwarded-for': forwarded } });

    it('takes the client address from X-Forwarded-For only when the peer is a trusted proxy', async () => {
      assert.equal((await fail('10.0.0.1', '198.51.100.1')).statusCode, 401);
      assert.equal((await fail('10.0.0.1', '198.51.100.1')).statusCode, 401);
      assertThrottled(await fail('10.0.0.1', '198.51.100.1'));
      assert.equal((await fail('10.0.0.1', '198.51.100.2')).statusCode, 401, 'another client behind the proxy has its own counter');
      // An untrusted peer's header is ignored: its own address is the key, whatever it claims.
      assert.equal((await fail('192.0.2.9', '198.51.100.3')).statusCode, 401);
      assert.equal((await fail('192.0.2.9', '198.51.100.4')).statusCode, 401);
      assertThrottled(await fail('192.0.2.9', '198.51.100.5'));
    });
  });
}
