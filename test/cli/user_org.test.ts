import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, type TestApp } from '../support/app.ts';
import { verifyPassword } from '../../src/crypto/passwords.ts';
import { CliTarget, assertRefused } from './cli.ts';
import { INVITATION_LIFETIME_SECONDS } from '../../src/domain/invitations.ts';

for (const dialect of dialects()) {
  describe(`tessera user and org (${dialect})`, () => {
    let cli: CliTarget;
    let server: TestApp;
    before(async () => {
      cli = await CliTarget.create(dialect);
      await cli.json(['db', 'migrate']);
      server = await cli.startApp();
    });
    after(async () => {
      await server.close();
      await cli.close();
    });

    it('user create stores the person with an argon2id hash of the password', async () => {
      const out = await cli.json(['user', 'create', '--email', ' Alice@Example.COM ', '--name', 'Alice Liddell', '--password', 'pässwörd🔑 long']);
      assert.deepEqual(Object.keys(out).sort(), ['email', 'id', 'name']);
      assert.equal(out.email, 'alice@example.com');
      assert.equal(out.name, 'Alice Liddell');
      const user = await server.deps.stores.users.findByEmail('alice@example.com');
      assert.equal(user?.id, out.id);
      assert.match(user!.passwordHash!, /^\$argon2id\$/);
      assert.equal(await verifyPassword(user!.passwordHash, 'pässwörd🔑 long'), true);
      assert.equal(await verifyPassword(user!.passwordHash, 'pässwörd🔑 lonG'), false);
    });

    it('user create without --json prints a line for a person', async () => {
      const result = await cli.run(['user', 'create', '--email', 'carol@example.com', '--name', 'Carol', '--password', 'long enough']);
      assert.equal(result.code, 0);
      assert.match(result.stdout, /^created user carol@example\.com \(id [\w-]{22}\)\n$/);
    });

    it('user create refuses a taken email, a bad email and bad passwords', async () => {
      const [taken, badEmail, short, long, spaced] = await Promise.all([
        cli.run(['user', 'create', '--email', 'ALICE@example.com', '--name', 'Other', '--password', 'long enough']),
        cli.run(['user', 'create', '--email', 'not-an-email', '--name', 'X', '--password', 'long enough']),
        cli.run(['user', 'create', '--email', 'x@example.com', '--name', 'X', '--password', 'seven77']),
        cli.run(['user', 'create', '--email', 'y@example.com', '--name', 'X', '--password', 'é'.repeat(513)]),
        cli.run(['user', 'create', '--email', 'z@example.com', '--name', 'two\nlines', '--password', 'long enough']),
      ]);
      assertRefused(taken, 1, /already exists/);
      assertRefused(badEmail, 2, /not an email address/);
      assertRefused(short, 2, /at least 8 characters/);
      assertRefused(long, 2, /at most 1024 bytes/);
      assertRefused(spaced, 2, /single line/);
      for (const email of ['x@example.com', 'y@example.com', 'z@example.com']) {
        assert.equal(await server.deps.stores.users.findByEmail(email), undefined, email);
      }
    });

    it('org create makes the organization with its owner', async () => {
      const out = await cli.json(['org', 'create', '--slug', 'acme', '--name', 'Acme Corp', '--owner', 'alice@example.com']);
      assert.deepEqual(Object.keys(out).sort(), ['id', 'name', 'owner', 'slug']);
      assert.equal(out.slug, 'acme');
      assert.equal(out.owner, 'alice@example.com');
      const alice = await server.deps.stores.users.findByEmail('alice@example.com');
      const memberships = await server.deps.stores.organizations.listForUser(alice!.id);
      assert.deepEqual(memberships.map((m) => [m.org.slug, m.role]), [['acme', 'owner']]);
      const bare = await cli.json(['org', 'create', '--slug', 'solo', '--name', 'Solo']);
      assert.equal(bare.owner, null);
    });

    it('org create refuses a taken slug, a malformed slug and an unknown owner', async () => {
      const [taken, malformed, unknownOwner] = await Promise.all([
        cli.run(['org', 'create', '--slug', 'acme', '--name', 'Again']),
        cli.run(['org', 'create', '--slug', 'Not_A_Slug', '--name', 'X']),
        cli.run(['org', 'create', '--slug', 'ghost', '--name', 'Ghost', '--owner', 'nobody@example.com']),
      ]);
      assertRefused(taken, 1, /slug acme is taken/);
      assertRefused(malformed, 2, /not a slug/);
      assertRefused(unknownOwner, 1, /no user has email nobody@example\.com/);
      assert.equal(await server.deps.stores.organizations.findBySlug('ghost'), undefined);
    });

    it('org add-member adds a member by default and can make an owner', async () => {
      await cli.json(['user', 'create', '--email', 'bob@example.com', '--name', 'Bob', '--password', 'long enough']);
      const added = await cli.json(['org', 'add-member', '--org', 'acme', '--email', 'Bob@example.com']);
      assert.deepEqual(added, { org: 'acme', email: 'bob@example.com', role: 'member', status: 'added' });
      const bob = await server.deps.stores.users.findByEmail('bob@example.com');
      assert.deepEqual((await server.deps.stores.organizations.listForUser(bob!.id)).map((m) => m.role), ['member']);
      const promoted = await cli.json(['org', 'add-member', '--org', 'acme', '--email', 'bob@example.com', '--role', 'owner']);
      assert.equal(promoted.role, 'owner');
      assert.deepEqual((await server.deps.stores.organizations.listForUser(bob!.id)).map((m) => m.role), ['owner']);
    });

    it('org add-member refuses an unknown organization and an unknown role', async () => {
      const [noOrg, badRole] = await Promise.all([
        cli.run(['org', 'add-member', '--org', 'nowhere', '--email', 'bob@example.com']),
        cli.run(['org', 'add-member', '--org', 'acme', '--email', 'bob@example.com', '--role', 'admin']),
      ]);
      assertRefused(noOrg, 1, /no organization has slug nowhere/);
      assertRefused(badRole, 2, /--role must be owner or member/);
    });

    it('org add-member invites an address no account has proven (signed up, or no account yet); the account is not a member', async () => {
      // Dan made his own account, as sign-up does: not verified.
      const dan = await server.deps.stores.users.create({ email: 'dan@example.com', name: 'Dan', passwordHash: null }, server.clock.now());
      assert.ok(dan);
      assert.equal(dan.emailVerifiedAt, null);
      const invited = await cli.json(['org', 'add-member', '--org', 'acme', '--email', 'Dan@example.com']);
      assert.equal(invited.status, 'invited');
      assert.equal(invited.email, 'dan@example.com');
      assert.equal(invited.role, 'member');
      assert.equal(typeof invited.invitation, 'string');
      const expires = Date.parse(String(invited.expires_at)) / 1000;
      assert.ok(Math.abs(expires - (server.clock.now() + INVITATION_LIFETIME_SECONDS)) < 60, String(invited.expires_at));
      assert.deepEqual(await server.deps.stores.organizations.listForUser(dan.id), []);

      const text = await cli.run(['org', 'add-member', '--org', 'acme', '--email', 'nobody@example.com', '--role', 'owner']);
      assert.equal(text.code, 0, text.stderr);
      assert.match(text.stdout, /no account has proven it owns nobody@example\.com: invited it to acme as an owner, pending until /);
      // An operator's account made afterwards is verified, yet not a member until it accepts.
      await cli.json(['user', 'create', '--email', 'nobody@example.com', '--name', 'Nobody', '--password', 'long enough']);
      const nobody = (await server.deps.stores.users.findByEmail('nobody@example.com'))!;
      assert.notEqual(nobody.emailVerifiedAt, null);
      assert.deepEqual(await server.deps.stores.organizations.listForUser(nobody.id), []);

      const listed = await cli.json<{ invitations: { email: string; role: string }[] }>(['org', 'invitations', '--org', 'acme']);
      assert.deepEqual(listed.invitations.map((i) => [i.email, i.role]), [['dan@example.com', 'member'], ['nobody@example.com', 'owner']]);
      const cancelled = await cli.json(['org', 'cancel-invitation', '--org', 'acme', '--email', 'nobody@example.com']);
      assert.deepEqual(cancelled, { org: 'acme', email: 'nobody@example.com', cancelled: true });
      assertRefused(await cli.run(['org', 'cancel-invitation', '--org', 'acme', '--email', 'nobody@example.com']), 1, /no pending invitation/);
      const audit = await server.deps.stores.audit.listForUser(nobody.id, ['membership.changed'], 10);
      assert.equal(audit.length, 0);

      // Now the operator's (verified) account is added at once.
      const added = await cli.run(['org', 'add-member', '--org', 'acme', '--email', 'nobody@example.com']);
      assert.equal(added.code, 0, added.stderr);
      assert.equal(added.stdout, 'nobody@example.com is now a member of acme\n');
      assert.deepEqual((await server.deps.stores.organizations.listForUser(nobody.id)).map((m) => m.role), ['member']);
    });

    it('org create names as owner only an account that has proven its address', async () => {
      const refused = await cli.run(['org', 'create', '--slug', 'dans', '--name', 'Dan', '--owner', 'dan@example.com']);
      assertRefused(refused, 1, /no account has proven it owns dan@example\.com/);
      assert.equal(await server.deps.stores.organizations.findBySlug('dans'), undefined);
    });
  });
}
