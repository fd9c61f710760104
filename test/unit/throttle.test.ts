/**
 * The in-memory limiter behind brute-force protection (SECURITY 15, 32; R5 "rate-limiter memory
 * stays bounded"): limits, window expiry with a moving clock, reservations, the key cap, and the
 * configuration that feeds it.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RecentKeys, Throttle, compactKey } from '../../src/caches/throttle.ts';
import { clientNetwork } from '../../src/caches/throttles.ts';
import { ConfigError, loadConfig } from '../../src/config/config.ts';
import { TestClock } from '../support/app.ts';

describe('throttle (GCRA limiter)', () => {
  it('lets `count` events through in a burst, then refuses with the wait in seconds', () => {
    const clock = new TestClock();
    const throttle = new Throttle(clock, { count: 10, seconds: 60 });
    for (let i = 0; i < 10; i++) {
      assert.equal(throttle.retryAfter('k'), 0, `event ${i + 1} fits`);
      throttle.hit('k');
    }
    const wait = throttle.retryAfter('k');
    assert.ok(wait > 0 && wait <= 6, `one event frees every 6 s, got ${wait}`);
    assert.equal(throttle.retryAfter('other'), 0, 'keys are independent');
  });

  it('holds a sustained attacker to `count` per window, and a window after the last event a full burst fits again', () => {
    const clock = new TestClock();
    const throttle = new Throttle(clock, { count: 5, seconds: 60 });
    let allowed = 0;
    for (let second = 0; second < 600; second++) {
      if (throttle.take('k') === 0) allowed++;
      clock.advance(1);
    }
    // The first burst of 5, then one every 12 s: 5 + 600 / 12.
    assert.ok(allowed <= 5 + 50 && allowed >= 50, `about 5 per minute over 10 minutes: ${allowed}`);
    clock.advance(60);
    for (let i = 0; i < 5; i++) assert.equal(throttle.take('k'), 0, `after the window, event ${i + 1} fits`);
    assert.ok(throttle.take('k') > 0);
  });

  it('events recorded past the limit are debt: a flood waits longer', () => {
    const clock = new TestClock();
    const throttle = new Throttle(clock, { count: 10, seconds: 60 });
    for (let i = 0; i < 100; i++) throttle.hit('k');
    assert.ok(throttle.retryAfter('k') > 500, 'ninety events over the limit take 90 × 6 s to pay off');
    clock.advance(60);
    assert.ok(throttle.retryAfter('k') > 0, 'still refused a window later');
  });

  it('take reserves synchronously, refuses without recording, and refund gives room back', () => {
    const clock = new TestClock();
    const throttle = new Throttle(clock, { count: 2, seconds: 60 });
    assert.equal(throttle.take('k'), 0);
    assert.equal(throttle.take('k'), 0);
    const wait = throttle.take('k');
    assert.ok(wait > 0);
    assert.equal(throttle.take('k'), wait, 'a refused take records nothing');
    throttle.refund('k');
    assert.equal(throttle.take('k'), 0, 'a refund frees one event');
    throttle.refund('k');
    throttle.refund('k');
    assert.equal(throttle.size, 0, 'a key whose bucket is full again is dropped');
    throttle.hit('k');
    throttle.clear('k');
    assert.equal(throttle.size, 0);
  });

  it('holds at most maxKeys keys, evicting the least recently written', () => {
    const clock = new TestClock();
    const throttle = new Throttle(clock, { count: 1, seconds: 3600 }, 1000);
    throttle.hit('attacker');
    for (let i = 0; i < 5000; i++) {
      throttle.hit(`spray-${i}`);
      if (i % 100 === 0) throttle.hit('attacker');
    }
    assert.equal(throttle.size, 1000);
    assert.ok(throttle.retryAfter('attacker') > 0, 'a key written recently survives the spray');
    assert.equal(throttle.retryAfter('spray-0'), 0, 'the oldest keys were evicted');
  });

  it('drops expired keys as new ones are written, with no timer', () => {
    const clock = new TestClock();
    const throttle = new Throttle(clock, { count: 1, seconds: 10 }, 100_000);
    for (let i = 0; i < 500; i++) throttle.hit(`old-${i}`);
    clock.advance(11);
    for (let i = 0; i < 500; i++) throttle.hit(`new-${i}`);
    assert.equal(throttle.size, 500, 'each write cleaned up to two expired keys');
  });

  it('stores long keys as a fixed-size digest', () => {
    const long = 'x'.repeat(70_000);
    assert.ok(compactKey(long).length < 64);
    assert.equal(compactKey('127.0.0.1 client'), '127.0.0.1 client');
    const throttle = new Throttle(new TestClock(), { count: 1, seconds: 60 });
    throttle.hit(long);
    assert.ok(throttle.retryAfter(long) > 0);
    assert.equal(throttle.retryAfter(long + 'y'), 0);
  });

  it('RecentKeys remembers a key for its lifetime only', () => {
    const clock = new TestClock();
    const recent = new RecentKeys(clock, 30, 10);
    recent.add('a');
    assert.ok(recent.has('a'));
    assert.ok(!recent.has('b'));
    clock.advance(31);
    assert.ok(!recent.has('a'));
    for (let i = 0; i < 50; i++) recent.add(`k${i}`);
    assert.ok(recent.size <= 10);
  });
});

describe('client network keys', () => {
  it('keys IPv4 by address, IPv4-mapped IPv6 as IPv4, and IPv6 by its /64', () => {
    assert.equal(clientNetwork('203.0.113.7'), '203.0.113.7');
    assert.equal(clientNetwork('::ffff:203.0.113.7'), '203.0.113.7');
    assert.equal(clientNetwork('2001:db8:1:2:aaaa::1'), '2001:db8:1:2::/64');
    assert.equal(clientNetwork('2001:db8:1:2:ffff:ffff:ffff:ffff'), '2001:db8:1:2::/64');
    assert.equal(clientNetwork('2001:DB8::1'), '2001:db8:0:0::/64');
    assert.equal(clientNetwork('::1'), '0:0:0:0::/64');
  });
});

describe('throttle configuration', () => {
  it('has the documented defaults', () => {
    const c = loadConfig({});
    assert.deepEqual(c.throttle, {
      clientAuth: { count: 10, seconds: 60 },
      clientAuthPerIp: { count: 100, seconds: 60 },
      deviceCode: { count: 10, seconds: 900 },
      deviceCodePerIp: { count: 30, seconds: 900 },
      invalidGrant: { count: 100, seconds: 60 },
      invalidGrantPerIp: { count: 300, seconds: 60 },
      introspection: { count: 1000, seconds: 60 },
      login: { count: 10, seconds: 600 },
      loginPerAccount: { count: 100, seconds: 900 },
      loginPerIp: { count: 50, seconds: 300 },
      passwordResetPerIp: { count: 10, seconds: 900 },
      maxKeys: 100_000,
    });
    assert.equal(c.trustProxy, false);
  });

  it('reads COUNT/SECONDS limits and TRUST_PROXY', () => {
    const c = loadConfig({ THROTTLE_LOGIN: '3/30', TRUST_PROXY: '10.0.0.0/8, 192.168.1.1,loopback,2001:db8::/32' });
    assert.deepEqual(c.throttle.login, { count: 3, seconds: 30 });
    assert.deepEqual(c.trustProxy, ['10.0.0.0/8', '192.168.1.1', 'loopback', '2001:db8::/32']);
    assert.equal(loadConfig({ TRUST_PROXY: '2' }).trustProxy, 2);
  });

  for (const [name, env, pattern] of [
    ['a limit without seconds', { THROTTLE_LOGIN: '10' }, /THROTTLE_LOGIN/],
    ['a zero count', { THROTTLE_CLIENT_AUTH: '0/60' }, /THROTTLE_CLIENT_AUTH/],
    ['a window over a day', { THROTTLE_LOGIN_PER_IP: '5/100000' }, /THROTTLE_LOGIN_PER_IP/],
    ['a tiny key cap', { THROTTLE_MAX_KEYS: '5' }, /THROTTLE_MAX_KEYS/],
    ['TRUST_PROXY=true (trusting anyone lets any client pick its address)', { TRUST_PROXY: 'true' }, /TRUST_PROXY/],
    ['a malformed CIDR', { TRUST_PROXY: '10.0.0.0/33' }, /TRUST_PROXY/],
    ['a hop count of 0', { TRUST_PROXY: '0' }, /TRUST_PROXY/],
  ] as const) {
    it(`stops the boot on ${name}`, () => {
      assert.throws(() => loadConfig(env), (err: unknown) => err instanceof ConfigError && pattern.test(err.message));
    });
  }
});
