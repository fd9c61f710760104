/**
 * The batched writers (jobs/usage_recorder.ts, jobs/error_counter.ts) flush on a 5 s timer and on
 * demand. A flush asked for while the timer's is still writing must not return before that write
 * is done: callers (tests, the shutdown before the database closes) rely on "flushed means
 * written". Found as a rare "last used" race in test/interaction/orgs.test.ts.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createClient, createUser } from '../support/fixtures.ts';
import { UsageRecorder } from '../../src/jobs/usage_recorder.ts';
import { ErrorCounter } from '../../src/jobs/error_counter.ts';
import { utcDay } from '../../src/domain/grant_activity.ts';

const fail = (err: unknown) => assert.fail(String(err));

for (const dialect of dialects()) {
  describe(`batched writers: a flush waits for the one in progress (${dialect})`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp({ dialect });
    });
    after(() => t.close());

    it('usage: uses taken by an earlier flush are written when a later flush returns, in order', async () => {
      const client = await createClient(t.deps);
      const grant = await t.deps.stores.grants.approve((await createUser(t.deps, 'use@example.com')).id, client.clientId, ['openid'], t.clock.now());
      let now = 1_000;
      const usage = new UsageRecorder(t.deps.stores, () => now, fail);
      usage.recordGrant(grant.id, '192.0.2.1');
      usage.recordCall(grant.id, { method: 'GET', path: '/api/v1/me', route: '/api/v1/me', org: undefined, status: 200, ip: '192.0.2.1' });
      const timer = usage.flush(); // what the timer does, not awaited by anyone
      now = 2_000;
      usage.recordGrant(grant.id, '192.0.2.2');
      await usage.flush();
      const stored = await t.deps.stores.grants.findById(grant.id);
      assert.equal(stored?.lastUsedAt, 2_000, 'the later use is written last');
      assert.equal(stored?.lastUsedIp, '192.0.2.2');
      assert.deepEqual(await t.deps.stores.grantActivity.dailyCalls(grant.id, utcDay(0)), [{ day: utcDay(1_000), calls: 1 }]);
      assert.deepEqual(await t.deps.stores.grantActivity.callKinds(grant.id, utcDay(0)), [
        { day: utcDay(1_000), method: 'GET', route: '/api/v1/me', org: '', calls: 1, refused: 0, lastAt: 1_000 },
      ]);
      await timer;
    });

    it('error counts: counts taken by an earlier flush are written when a later flush returns', async () => {
      const client = await createClient(t.deps);
      const counter = new ErrorCounter(t.deps.stores.appErrors, () => t.clock.now(), fail);
      counter.record(client.clientId, 'invalid_grant');
      const timer = counter.flush();
      counter.record(client.clientId, 'invalid_grant');
      await counter.flush();
      assert.deepEqual((await t.deps.stores.appErrors.list(client.clientId, '2000-01-01')).map((c) => [c.code, c.count]), [['invalid_grant', 2]]);
      await timer;
    });
  });
}
