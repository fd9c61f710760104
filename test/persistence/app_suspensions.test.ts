/**
 * Issue 21, the suspension store (migration 202612071320_app_suspensions) and every process's
 * SuspendedApps view of it, on both dialects: a suspension and its audit event are one write;
 * an unknown app writes neither; lifting keeps the row (and its time); the periodic sync alone,
 * with no change-feed event, brings a process up to date; and the rule for access tokens.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createClient } from '../support/fixtures.ts';
import { SqlAppSuspensionStore } from '../../src/persistence/stores/app_suspensions.ts';
import { SuspendedApps } from '../../src/caches/suspended_apps.ts';
import { suspensionRefusal } from '../../src/domain/app_suspensions.ts';

for (const dialect of dialects()) {
  describe(`app suspensions (${dialect})`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp({ dialect });
    });
    after(() => t.close());

    const audited = (appId: string) =>
      t.deps.database.db.selectFrom('audit_events').select(['type', 'detail']).where('app_id', '=', appId).where('type', 'like', 'app.%suspended').orderBy('id').execute();

    it('writes the row and its audit event together; lifting keeps the row; the sync alone catches up', async () => {
      // The bare store: no announcement, so only the other process's sync can learn of it.
      const store = new SqlAppSuspensionStore(t.deps.database.db);
      const other = new SuspendedApps(store, () => t.clock.now(), (err) => assert.fail(String(err)));
      await other.sync();
      const app = await createClient(t.deps);
      const now = t.clock.now();

      assert.equal(await store.suspend('no-such-app', 'r', now, { type: 'app.suspended', appId: 'no-such-app', detail: { via: 'cli' } }), undefined);
      assert.deepEqual(await audited('no-such-app'), []);

      const suspended = await store.suspend(app.clientId, 'phishing', now, { type: 'app.suspended', appId: app.clientId, detail: { via: 'cli', reason: 'phishing' } });
      assert.deepEqual(suspended, { appId: app.clientId, suspendedAt: now, reason: 'phishing', liftedAt: null, changedAt: now });
      assert.deepEqual((await audited(app.clientId)).map((r) => r.type), ['app.suspended']);
      assert.equal(other.isSuspended(app.clientId), false, 'not yet synchronised');
      await other.sync();
      assert.equal(other.isSuspended(app.clientId), true);
      assert.equal(t.deps.suspensions.isSuspended(app.clientId), false, 'the bare store announced nothing');

      // The test clock also moves with real time: every later time is read, not computed.
      t.clock.advance(5);
      const liftAt = t.clock.now();
      const lifted = await store.lift(app.clientId, liftAt, { type: 'app.unsuspended', appId: app.clientId, detail: { via: 'cli' } });
      assert.deepEqual(lifted, { appId: app.clientId, suspendedAt: now, reason: 'phishing', liftedAt: liftAt, changedAt: liftAt });
      assert.equal(await store.lift(app.clientId, t.clock.now(), { type: 'app.unsuspended', appId: app.clientId }), undefined, 'nothing to lift');
      assert.deepEqual((await audited(app.clientId)).map((r) => r.type), ['app.suspended', 'app.unsuspended']);
      await other.sync();
      assert.equal(other.isSuspended(app.clientId), false);
      assert.equal(other.refusalFor(app.clientId, now), 'issued_before_suspension');
      assert.equal(other.refusalFor(app.clientId, liftAt), undefined);
      assert.deepEqual(await store.find(app.clientId), lifted);

      // Suspended again: the row is reused with the new time.
      t.clock.advance(5);
      const againAt = t.clock.now();
      const again = await store.suspend(app.clientId, 'again', againAt, { type: 'app.suspended', appId: app.clientId });
      assert.equal(again?.suspendedAt, againAt);
      assert.equal(again?.liftedAt, null);
      assert.equal((await store.listChangedSince(againAt)).length, 1);
    });

    it('the deps store announces: this process refuses at once', async () => {
      const app = await createClient(t.deps);
      await t.deps.stores.appSuspensions.suspend(app.clientId, 'r', t.clock.now(), { type: 'app.suspended', appId: app.clientId });
      assert.equal(t.deps.suspensions.isSuspended(app.clientId), true);
      await t.deps.stores.appSuspensions.lift(app.clientId, t.clock.now(), { type: 'app.unsuspended', appId: app.clientId });
      assert.equal(t.deps.suspensions.isSuspended(app.clientId), false);
    });
  });
}

describe('suspensionRefusal', () => {
  const base = { appId: 'a', suspendedAt: 100, reason: 'r', changedAt: 100 };
  it('refuses everything while suspended, and after the lift only tokens issued up to the suspension', () => {
    assert.equal(suspensionRefusal(undefined, 1), undefined);
    assert.equal(suspensionRefusal({ ...base, liftedAt: null }, 500), 'app_suspended');
    assert.equal(suspensionRefusal({ ...base, liftedAt: 200 }, 100), 'issued_before_suspension');
    assert.equal(suspensionRefusal({ ...base, liftedAt: 200 }, 101), undefined);
    // Lifted within the second it was suspended: a token of that second came after the lift.
    assert.equal(suspensionRefusal({ ...base, liftedAt: 100 }, 100), undefined);
    assert.equal(suspensionRefusal({ ...base, liftedAt: 100 }, 99), 'issued_before_suspension');
  });
});
