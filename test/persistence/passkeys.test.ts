/**
 * The passkey store (issue 16) on each dialect: a passkey is written with its audit event and its
 * notice; a credential id is stored once; a use is recorded only while the counter grows (two uses
 * of one counter value: one wins); a challenge is taken once, even by two requests at once, and
 * not after it expired; an account without a password keeps its last passkey, even when two
 * removals run at once.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createUser } from '../support/fixtures.ts';
import { randomId } from '../../src/crypto/random.ts';
import type { Passkey } from '../../src/domain/passkeys.ts';
import type { User } from '../../src/domain/users.ts';

function passkey(user: User, now: number, extra: Partial<Passkey> = {}): Passkey {
  return {
    id: randomId(),
    userId: user.id,
    userHandle: 'handle-' + user.id,
    publicKey: 'pQECAyYgASFYIA',
    counter: 0,
    transports: ['internal', 'hybrid'],
    backupEligible: true,
    backedUp: false,
    name: 'Laptop',
    aaguid: '00000000-0000-0000-0000-000000000000',
    createdAt: now,
    lastUsedAt: null,
    ...extra,
  };
}

for (const dialect of dialects()) {
  describe(`passkey store (${dialect})`, () => {
    let t: TestApp;
    let alice: User;
    /** No password: passkeys are the only way in. */
    let pat: User;

    before(async () => {
      t = await startTestApp({ dialect });
      alice = await createUser(t.deps, 'alice@example.com');
      pat = (await t.deps.stores.users.create({ email: 'pat@example.com', name: 'Pat', passwordHash: null }, t.clock.now()))!;
    });
    after(() => t.close());

    it('adds a passkey with its event and notice; reads it back field by field; a credential id is stored once', async () => {
      const now = t.clock.now();
      const key = passkey(alice, now, { counter: 7, backedUp: true });
      const event = { type: 'user.passkey_added', userId: alice.id, ip: '203.0.113.9', userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0', detail: { name: 'Laptop' } };
      assert.equal(await t.deps.stores.passkeys.add(key, event), 'added');
      assert.deepEqual(await t.deps.stores.passkeys.find(key.id), key);
      assert.deepEqual(await t.deps.stores.passkeys.listForUser(alice.id), [key]);
      assert.equal(await t.deps.stores.passkeys.countForUser(alice.id), 1);
      const events = await t.deps.stores.audit.listForUser(alice.id, ['user.passkey_added'], 5);
      assert.deepEqual(events.map((e) => [e.type, e.detail.name, e.ip]), [['user.passkey_added', 'Laptop', '203.0.113.9']]);
      const mail = (await t.deps.stores.outbox.list({ limit: 50 })).filter((m) => m.to === 'alice@example.com' && m.kind === 'notice');
      assert.equal(mail.length, 1, 'the notice is in the outbox with its event');
      // The same credential id again, for anyone: refused, and nothing else written.
      assert.equal(await t.deps.stores.passkeys.add({ ...key, userId: pat.id }, { ...event, userId: pat.id }), 'taken');
      assert.equal(await t.deps.stores.passkeys.countForUser(pat.id), 0);
      assert.equal((await t.deps.stores.audit.listForUser(pat.id, ['user.passkey_added'], 5)).length, 0);
    });

    it('records a use only while the counter grows; a counter of 0 stays usable as 0', async () => {
      const now = t.clock.now();
      const key = passkey(alice, now, { counter: 10 });
      await t.deps.stores.passkeys.add(key, { type: 'user.passkey_added', userId: alice.id });
      assert.equal(await t.deps.stores.passkeys.recordUse(key.id, 10, false, now), false, 'the same counter');
      assert.equal(await t.deps.stores.passkeys.recordUse(key.id, 9, false, now), false, 'a lower one');
      // Two uses presenting one counter value at once: exactly one is recorded.
      const both = await Promise.all([t.deps.stores.passkeys.recordUse(key.id, 11, true, now + 5), t.deps.stores.passkeys.recordUse(key.id, 11, true, now + 5)]);
      assert.deepEqual(both.sort(), [false, true]);
      const after = await t.deps.stores.passkeys.find(key.id);
      assert.deepEqual([after?.counter, after?.backedUp, after?.lastUsedAt], [11, true, now + 5]);

      const zero = passkey(alice, now);
      await t.deps.stores.passkeys.add(zero, { type: 'user.passkey_added', userId: alice.id });
      assert.equal(await t.deps.stores.passkeys.recordUse(zero.id, 0, false, now), true, 'no counter kept (synced passkeys)');
      assert.equal(await t.deps.stores.passkeys.recordUse(zero.id, 0, false, now), true);
    });

    it('renames only the owner’s passkey', async () => {
      const key = passkey(alice, t.clock.now());
      await t.deps.stores.passkeys.add(key, { type: 'user.passkey_added', userId: alice.id });
      assert.equal(await t.deps.stores.passkeys.rename(pat.id, key.id, 'Stolen'), false);
      assert.equal(await t.deps.stores.passkeys.rename(alice.id, key.id, 'Phone'), true);
      assert.equal((await t.deps.stores.passkeys.find(key.id))?.name, 'Phone');
    });

    it('takes a challenge once (also two at once), never after it expired, and keeps its binding', async () => {
      const now = t.clock.now();
      const id = randomId();
      await t.deps.stores.passkeys.createChallenge({ id, purpose: 'sign_up', userId: null, pendingId: null, data: { userHandle: 'h', name: 'Dana', email: 'dana@example.com' }, createdAt: now, expiresAt: now + 300 });
      const taken = await Promise.all([t.deps.stores.passkeys.takeChallenge(id, now), t.deps.stores.passkeys.takeChallenge(id, now)]);
      assert.equal(taken.filter(Boolean).length, 1);
      const row = taken.find(Boolean)!;
      assert.deepEqual([row.purpose, row.userId, row.pendingId, row.data], ['sign_up', null, null, { userHandle: 'h', name: 'Dana', email: 'dana@example.com' }]);
      assert.equal(await t.deps.stores.passkeys.takeChallenge(id, now), undefined, 'used');

      const old = randomId();
      await t.deps.stores.passkeys.createChallenge({ id: old, purpose: 'second_factor', userId: alice.id, pendingId: 'p1', data: {}, createdAt: now, expiresAt: now + 300 });
      assert.equal(await t.deps.stores.passkeys.takeChallenge(old, now + 300), undefined, 'expired at its end');
      // A new challenge clears expired ones as it goes.
      const stale = randomId();
      await t.deps.stores.passkeys.createChallenge({ id: stale, purpose: 'sign_in', userId: null, pendingId: null, data: {}, createdAt: now - 600, expiresAt: now - 300 });
      await t.deps.stores.passkeys.createChallenge({ id: randomId(), purpose: 'sign_in', userId: null, pendingId: null, data: {}, createdAt: now, expiresAt: now + 300 });
      const left = await t.deps.database.db.selectFrom('passkey_challenges').select('id').where('id', '=', stale).executeTakeFirst();
      assert.equal(left, undefined);
    });

    it('an account without a password keeps its last passkey, even against two removals at once', async () => {
      const now = t.clock.now();
      const event = (name: string) => ({ type: 'user.passkey_removed', userId: pat.id, detail: { name } });
      const [one, two] = [passkey(pat, now, { name: 'One' }), passkey(pat, now, { name: 'Two' })];
      await t.deps.stores.passkeys.add(one, { type: 'user.passkey_added', userId: pat.id });
      await t.deps.stores.passkeys.add(two, { type: 'user.passkey_added', userId: pat.id });
      const outcomes = await Promise.all([t.deps.stores.passkeys.remove(pat.id, one.id, event('One'), now), t.deps.stores.passkeys.remove(pat.id, two.id, event('Two'), now)]);
      assert.deepEqual(outcomes.sort(), ['last', 'removed']);
      assert.equal(await t.deps.stores.passkeys.countForUser(pat.id), 1);
      assert.equal((await t.deps.stores.audit.listForUser(pat.id, ['user.passkey_removed'], 5)).length, 1, 'only the removal that happened is recorded');
      const [kept] = await t.deps.stores.passkeys.listForUser(pat.id);
      assert.equal(await t.deps.stores.passkeys.remove(pat.id, kept!.id, event(kept!.name), now), 'last');
      assert.equal(await t.deps.stores.passkeys.remove(alice.id, kept!.id, event(kept!.name), now), 'unknown', 'not hers');
    });

    it('an account with a password may remove every passkey', async () => {
      const now = t.clock.now();
      for (const key of await t.deps.stores.passkeys.listForUser(alice.id)) {
        assert.equal(await t.deps.stores.passkeys.remove(alice.id, key.id, { type: 'user.passkey_removed', userId: alice.id, detail: { name: key.name } }, now), 'removed');
      }
      assert.equal(await t.deps.stores.passkeys.countForUser(alice.id), 0);
    });
  });
}
