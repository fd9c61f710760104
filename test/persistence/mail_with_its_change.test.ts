/**
 * "A message is stored in the same transaction as the change that causes it" (issue 15), for the
 * address and invitation flows: when the mail cannot be written, neither is the change. A trigger
 * makes the outbox insert fail for the kinds under test, on each dialect: no account without its
 * verification mail, no invitation without its mail, no change of address without the notice to
 * the old address.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createUser } from '../support/fixtures.ts';
import { inviteMember } from '../../src/services/org_admin.ts';
import { newLinkId } from '../../src/crypto/account_links.ts';

const REFUSED = "('verify_email', 'invitation', 'notice')";

for (const dialect of dialects()) {
  describe(`mail and its change are written together (${dialect})`, () => {
    let t: TestApp;

    before(async () => {
      t = await startTestApp({ dialect });
      const db = t.deps.database.db;
      if (dialect === 'sqlite') {
        await sql`create trigger refuse_mail before insert on mail_outbox when new.kind in ${sql.raw(REFUSED)} begin select raise(abort, 'refused by the test'); end`.execute(db);
      } else {
        await sql`create function refuse_mail() returns trigger language plpgsql as $$ begin if new.kind in ${sql.raw(REFUSED)} then raise exception 'refused by the test'; end if; return new; end $$`.execute(db);
        await sql`create trigger refuse_mail before insert on mail_outbox for each row execute function refuse_mail()`.execute(db);
      }
    });
    after(() => t.close());

    it('a sign-up whose verification mail fails leaves no account and no link', async () => {
      await assert.rejects(t.deps.accounts.signUp({ email: 'new@example.com', name: 'New', password: 'long enough password' }, { ip: '127.0.0.1', userAgent: null }), /refused by the test/);
      assert.equal(await t.deps.stores.users.findByEmail('new@example.com'), undefined);
      // The same address can sign up once mail works: nothing half-written holds it.
      const operator = await t.deps.accounts.createAccount({ email: 'new@example.com', name: 'New', password: 'long enough password', via: 'cli' });
      assert.ok(operator, 'no account was left behind');
    });

    it('an invitation whose mail fails is not written', async () => {
      const owner = await createUser(t.deps, 'owner@example.com', 'Owner', { verified: true });
      const org = (await t.deps.stores.organizations.create({ slug: 'acme', name: 'Acme', ownerUserId: owner.id }, t.clock.now()))!;
      const admin = { stores: t.deps.stores, announce: { feed: t.deps.feed }, now: t.clock.now(), via: 'test', actorUserId: owner.id };
      await assert.rejects(inviteMember(admin, org, 'guest@example.com', 'member'), /refused by the test/);
      assert.deepEqual(await t.deps.stores.invitations.listPending(org.id, t.clock.now()), []);
    });

    it('a change of address whose notice to the old address fails changes nothing and leaves the link unused', async () => {
      const user = await createUser(t.deps, 'old@example.com', 'Old');
      const now = t.clock.now();
      const id = newLinkId();
      await t.deps.stores.accountLinks.create(
        { id, userId: user.id, purpose: 'change_email', email: 'fresh@example.com', stamp: user.email, createdAt: now, expiresAt: now + 3600 },
        { kind: 'change_email', to: 'fresh@example.com', userId: user.id, data: { linkId: id, name: 'Old', expiresAt: now + 3600 } },
      );
      const event = { type: 'user.email_changed', userId: user.id, detail: { old_email: 'old@example.com', new_email: 'fresh@example.com' } };
      await assert.rejects(t.deps.stores.users.changeEmailWithLink(id, user.id, user.email, 'fresh@example.com', now, event), /refused by the test/);
      assert.equal((await t.deps.stores.users.findById(user.id))?.email, 'old@example.com');
      assert.equal((await t.deps.stores.accountLinks.find(id))?.usedAt, null);
    });
  });
}
