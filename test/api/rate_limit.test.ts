/** Rate limits per grant: RateLimit / RateLimit-Policy headers, then 429 with Retry-After. */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { call, createPlatform, type Platform } from './platform_fixture.ts';

for (const dialect of dialects()) {
  describe(`API rate limit per grant (${dialect})`, () => {
    let t: TestApp;
    let p: Platform;
    before(async () => {
      t = await startTestApp({ dialect, env: { API_RATE_LIMIT: '3/60' } });
      p = await createPlatform(t);
    });
    after(() => t.close());

    it('counts every call of a grant, whatever the token, and answers 429 with Retry-After when over', async () => {
      const first = await call(t, 'GET', '/me', await p.token('alice'));
      assert.equal(first.statusCode, 200);
      assert.equal(first.headers['ratelimit-policy'], '"per-grant";q=3;w=60');
      assert.match(String(first.headers.ratelimit), /^"per-grant";r=2;t=\d+$/);
      // A fresh token of the same grant does not reset the count.
      assert.match(String((await call(t, 'GET', '/me', await p.token('alice'))).headers.ratelimit), /r=1;/);
      assert.equal((await call(t, 'GET', '/me', await p.token('alice'))).statusCode, 200);
      const over = await call(t, 'GET', '/me', await p.token('alice'));
      assert.equal(over.statusCode, 429);
      assert.equal(over.json().code, 'rate_limited');
      assert.ok(Number(over.headers['retry-after']) >= 1);
      assert.match(String(over.headers.ratelimit), /r=0;/);
      // Another grant has its own budget.
      assert.equal((await call(t, 'GET', '/me', await p.token('bob'))).statusCode, 200);
      // An unauthenticated call is refused before it is counted.
      assert.equal((await call(t, 'GET', '/me', undefined)).headers.ratelimit, undefined);
    });
  });
}
