import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';

for (const dialect of dialects()) {
  describe(`operations endpoints (${dialect})`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp({ dialect });
    });
    after(() => t.close());

    it('GET /healthz answers 200 {"status":"ok"}, not cacheable', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/healthz' });
      assert.equal(res.statusCode, 200);
      assert.deepEqual(res.json(), { status: 'ok' });
      assert.equal(res.headers['cache-control'], 'no-store');
    });

    it('GET /readyz answers 200 {"status":"ready"} while the database answers', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/readyz' });
      assert.equal(res.statusCode, 200);
      assert.deepEqual(res.json(), { status: 'ready' });
    });

    it('GET /metrics is Prometheus text with the request counter and the revocation cache gauge', async () => {
      await t.app.inject({ method: 'GET', url: '/healthz' });
      t.deps.revocations.add('grant-for-the-gauge', t.clock.now() + 600);
      const res = await t.app.inject({ method: 'GET', url: '/metrics' });
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['content-type'], t.deps.metrics.registry.contentType);
      assert.match(res.body, /^# HELP tessera_http_requests_total /m);
      assert.match(res.body, /^tessera_http_requests_total\{method="GET",route="\/healthz",status="200"\} [1-9]/m);
      assert.match(res.body, /^tessera_http_request_duration_seconds_bucket\{/m);
      assert.match(res.body, new RegExp(`^tessera_revocation_cache_entries ${t.deps.revocations.size}$`, 'm'));
      assert.ok(t.deps.revocations.size >= 1);
    });

    it('other methods get 405 with Allow', async () => {
      for (const url of ['/healthz', '/readyz', '/metrics']) {
        const res = await t.app.inject({ method: 'POST', url });
        assert.equal(res.statusCode, 405, url);
        assert.match(String(res.headers.allow), /GET/);
      }
    });

    it('HEAD /healthz works for probes that only look at the status', async () => {
      const res = await t.app.inject({ method: 'HEAD', url: '/healthz' });
      assert.equal(res.statusCode, 200);
    });
  });

  describe(`readiness without a database (${dialect})`, () => {
    it('GET /readyz answers 503 {"status":"unavailable"} with Retry-After; /healthz stays 200', async () => {
      const t = await startTestApp({ dialect });
      try {
        await t.deps.database.close();
        const ready = await t.app.inject({ method: 'GET', url: '/readyz' });
        assert.equal(ready.statusCode, 503);
        assert.deepEqual(ready.json(), { status: 'unavailable' });
        assert.match(String(ready.headers['retry-after']), /^[1-9]\d*$/);
        const health = await t.app.inject({ method: 'GET', url: '/healthz' });
        assert.equal(health.statusCode, 200);
      } finally {
        await t.close().catch(() => {});
      }
    });
  });
}
