/**
 * Sign-in throttling (SECURITY 32) without account enumeration (SECURITY 33): wrong passwords
 * are throttled per (email, address), per address and per account; the person still signs in
 * from elsewhere; a forged X-Forwarded-For resets nothing; throttled attempts cost no hashing.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createUser, PASSWORD } from '../support/fixtures.ts';
import { loginToken } from '../../src/interaction/login/page.tsx';
import { TOO_MANY, INCORRECT } from '../../src/interaction/login/view.tsx';

type Res = Awaited<ReturnType<TestApp['app']['inject']>>;

function signIn(t: TestApp, email: string, password: string, ip: string, headers: Record<string, string> = {}): Promise<Res> {
  return t.app.inject({
    method: 'POST',
    url: '/login',
    remoteAddress: ip,
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    payload: new URLSearchParams({ email, password, token: loginToken(t.deps, undefined) }).toString(),
  });
}

function assertThrottled(res: Res): void {
  assert.equal(res.statusCode, 429, res.body.slice(0, 200));
  assert.match(String(res.headers['content-type']), /^text\/html/);
  assert.match(String(res.headers['retry-after']), /^[1-9]\d*$/);
  assert.match(String(res.headers['content-security-policy']), /frame-ancestors 'none'/);
  assert.ok(res.body.includes(TOO_MANY));
  assert.match(res.body, /<header class="brand"><span class="brand-mark"><img class="brand-logo" [^>]*\/><span class="brand-name">Tessera<\/span>/, 'the same layout as every page');
  assert.equal(res.headers['set-cookie'], undefined);
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

for (const dialect of dialects()) {
  describe(`sign-in throttling with the default limits (${dialect})`, () => {
    let t: TestApp;

    before(async () => {
      t = await startTestApp({ dialect });
      await createUser(t.deps, 'alice@example.com', 'Alice');
      await createUser(t.deps, 'bob@example.com', 'Bob');
    });
    after(() => t.close());

    it('20 wrong passwords for alice get 429, yet alice signs in from another address', async () => {
      const statuses: number[] = [];
      const times: number[] = [];
      for (let i = 0; i < 20; i++) {
        const started = performance.now();
        const res = await signIn(t, 'alice@example.com', `wrong password ${i}`, '198.51.100.1');
        times.push(performance.now() - started);
        statuses.push(res.statusCode);
        if (res.statusCode === 429) assertThrottled(res);
        else assert.ok(res.body.includes(INCORRECT));
      }
      assert.deepEqual(statuses, [...Array<number>(10).fill(401), ...Array<number>(10).fill(429)]);
      // Refused before hashing: a throttled attempt costs far less than an argon2 verification.
      assert.ok(median(times.slice(10)) < median(times.slice(0, 10)) / 2, `throttled ${median(times.slice(10))} ms vs checked ${median(times.slice(0, 10))} ms`);

      assertThrottled(await signIn(t, 'alice@example.com', PASSWORD, '198.51.100.1'));
      assertThrottled(await signIn(t, 'ALICE@example.com ', PASSWORD, '198.51.100.1'));
      const elsewhere = await signIn(t, 'alice@example.com', PASSWORD, '203.0.113.5');
      assert.equal(elsewhere.statusCode, 303);
      assert.equal(elsewhere.headers.location, '/');
    });

    it('spoofed X-Forwarded-For values do not reset the counters', async () => {
      for (const forwarded of ['203.0.113.5', '10.1.2.3', '203.0.113.77, 10.0.0.1']) {
        assertThrottled(await signIn(t, 'alice@example.com', PASSWORD, '198.51.100.1', { 'x-forwarded-for': forwarded, 'x-real-ip': forwarded }));
      }
    });

    it('a throttled unknown account answers exactly like a throttled known one (SECURITY 33)', async () => {
      const ip = '198.51.100.2';
      const known: number[] = [];
      const unknown: number[] = [];
      let last: Res[] = [];
      for (let i = 0; i < 11; i++) {
        const a = await signIn(t, 'bob@example.com', 'wrong password', ip);
        const b = await signIn(t, 'nobody@example.com', 'wrong password', ip);
        known.push(a.statusCode);
        unknown.push(b.statusCode);
        last = [a, b];
      }
      assert.deepEqual(known, unknown);
      assert.equal(known.at(-1), 429);
      const [a, b] = last as [Res, Res];
      const normalize = (body: string) => body.replace(/value="[^"]*@example\.com"/, '');
      assert.equal(normalize(a.body), normalize(b.body));
      assert.deepEqual(Object.keys(a.headers).sort(), Object.keys(b.headers).sort());
      // Retry-After depends only on when the failures came (a second apart at most here), not on the account.
      assert.ok(Math.abs(Number(a.headers['retry-after']) - Number(b.headers['retry-after'])) <= 1);
    });

    it('one wrong password against each of 500 accounts from one address gets throttled', async () => {
      const ip = '198.51.100.3';
      const statuses: number[] = [];
      for (let i = 0; i < 500; i++) {
        const email = i === 7 ? 'alice@example.com' : `user${i}@example.com`;
        statuses.push((await signIn(t, email, 'Summer2024!', ip)).statusCode);
      }
      assert.deepEqual(statuses.slice(0, 50), Array<number>(50).fill(401));
      assert.ok(statuses.slice(50).filter((s) => s === 429).length >= 440, 'the rest are refused');
      assertThrottled(await signIn(t, 'bob@example.com', PASSWORD, ip));
      assert.equal((await signIn(t, 'bob@example.com', PASSWORD, '198.51.100.4')).statusCode, 303, 'bob elsewhere is fine');
    });
  });

  describe(`sign-in throttling with small limits (${dialect})`, () => {
    let t: TestApp;

    before(async () => {
      t = await startTestApp({ dialect, env: { THROTTLE_LOGIN: '3/600', THROTTLE_LOGIN_PER_ACCOUNT: '5/900', THROTTLE_LOGIN_PER_IP: '20/300' } });
      await createUser(t.deps, 'alice@example.com', 'Alice');
      await createUser(t.deps, 'carol@example.com', 'Carol');
    });
    after(() => t.close());

    it('a successful sign-in clears the (email, address) counter', async () => {
      const ip = '192.0.2.10';
      assert.equal((await signIn(t, 'alice@example.com', 'wrong', ip)).statusCode, 401);
      assert.equal((await signIn(t, 'alice@example.com', 'wrong', ip)).statusCode, 401);
      assert.equal((await signIn(t, 'alice@example.com', PASSWORD, ip)).statusCode, 303);
      const after = [];
      for (let i = 0; i < 4; i++) after.push((await signIn(t, 'alice@example.com', 'wrong', ip)).statusCode);
      assert.deepEqual(after, [401, 401, 401, 429]);
    });

    it('the throttle lifts once the failures have aged out', async () => {
      const ip = '192.0.2.10';
      assertThrottled(await signIn(t, 'alice@example.com', PASSWORD, ip));
      t.clock.advance(600);
      assert.equal((await signIn(t, 'alice@example.com', PASSWORD, ip)).statusCode, 303);
    });

    it('a distributed attack on one account is slowed, but not from where the person signed in before', async () => {
      // alice signed in from 192.0.2.10 above; carol never signed in anywhere.
      for (const account of ['alice@example.com', 'carol@example.com']) {
        const statuses: number[] = [];
        for (let i = 0; i < 7; i++) statuses.push((await signIn(t, account, 'wrong', `192.0.2.${100 + i}`)).statusCode);
        assert.deepEqual(statuses, [401, 401, 401, 401, 401, 429, 429], account);
      }
      assertThrottled(await signIn(t, 'carol@example.com', PASSWORD, '192.0.2.200'));
      assertThrottled(await signIn(t, 'alice@example.com', PASSWORD, '192.0.2.201'));
      assert.equal((await signIn(t, 'alice@example.com', PASSWORD, '192.0.2.10')).statusCode, 303, 'her usual address still works');
    });

    it('parallel attempts cannot slip past the check', async () => {
      const results = await Promise.all(Array.from({ length: 12 }, () => signIn(t, 'nobody@example.com', 'wrong', '192.0.2.50')));
      const statuses = results.map((r) => r.statusCode).sort();
      assert.deepEqual(statuses, [...Array<number>(3).fill(401), ...Array<number>(9).fill(429)]);
    });
  });
}
