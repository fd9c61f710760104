/**
 * "No session without its audit event, no approval without its audit event" (issue 13): the event
 * is written in the same transaction as the row it explains, so when the event cannot be written
 * the row is not written either. A trigger makes the audit insert fail, on each dialect.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createClient, createUser, type TestClient } from '../support/fixtures.ts';
import { randomId } from '../../src/crypto/random.ts';
import type { User } from '../../src/domain/users.ts';

for (const dialect of dialects()) {
  describe(`an audit event and its row are written together (${dialect})`, () => {
    let t: TestApp;
    let alice: User;
    let client: TestClient;

    before(async () => {
      t = await startTestApp({ dialect });
      alice = await createUser(t.deps, 'alice@example.com');
      client = await createClient(t.deps);
      const db = t.deps.database.db;
      // Refuse the two events under test, nothing else.
      if (dialect === 'sqlite') {
        await sql`create trigger refuse_events before insert on audit_events when new.type in ('grant.approved', 'user.signed_in') begin select raise(abort, 'refused by the test'); end`.execute(db);
      } else {
        await sql`create function refuse_events() returns trigger language plpgsql as $$ begin if new.type in ('grant.approved', 'user.signed_in') then raise exception 'refused by the test'; end if; return new; end $$`.execute(db);
        await sql`create trigger refuse_events before insert on audit_events for each row execute function refuse_events()`.execute(db);
      }
    });
    after(() => t.close());

    it('a grant whose grant.approved event fails is not written (new grant, and an extension)', async () => {
      const now = t.clock.now();
      const event = { type: 'grant.approved', userId: alice.id, appId: client.clientId, ip: null };
      await assert.rejects(t.deps.stores.grants.approve(alice.id, client.clientId, ['openid'], now, undefined, event), /refused by the test/);
      assert.equal(await t.deps.stores.grants.findLive(alice.id, client.clientId, now), undefined, 'no grant without its event');
      // Without an event the same approval is written (the trigger refuses only the event).
      await t.deps.stores.grants.approve(alice.id, client.clientId, ['openid'], now);
      await assert.rejects(t.deps.stores.grants.approve(alice.id, client.clientId, ['openid', 'email'], now, undefined, event), /refused by the test/);
      assert.deepEqual((await t.deps.stores.grants.findLive(alice.id, client.clientId, now))?.scopes, ['openid'], 'the extension was not written');
    });

    it('a session whose user.signed_in event fails is not stored', async () => {
      const now = t.clock.now();
      const session = { id: randomId(), userId: alice.id, authTime: now, amr: ['pwd'], createdAt: now, lastSeenAt: now, expiresAt: now + 60, ip: null, userAgent: null };
      await assert.rejects(t.deps.stores.sessions.create(session, { type: 'user.signed_in', userId: alice.id }), /refused by the test/);
      assert.equal(await t.deps.stores.sessions.findLive(session.id, now), undefined);
    });
  });
}
