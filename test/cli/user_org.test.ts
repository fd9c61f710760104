import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, type TestApp } from '../support/app.ts';
import { verifyPassword } from '../../src/crypto/passwords.ts';
import { CliTarget, assertRefused } from './cli.ts';

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
      assert.deepEqual(added, { org: 'acme', email: 'bob@example.com', role: 'member' });
      const bob = await server.deps.stores.users.findByEmail('bob@example.com');
      assert.deepEqual((await server.deps.stores.organizations.listForUser(bob!.id)).map((m) => m.role), ['member']);
      const promoted = await cli.json(['org', 'add-member', '--org', 'acme', '--email', 'bob@example.com', '--role', 'owner']);
      assert.equal(promoted.role, 'owner');
      assert.deepEqual((await server.deps.stores.organizations.listForUser(bob!.id)).map((m) => m.role), ['owner']);
    });

    it('org add-member refuses an unknown organization, an unknown user and an unknown role', async () => {
      const [noOrg, noUser, badRole] = await Promise.all([
        cli.run(['org', 'add-member', '--org', 'nowhere', '--email', 'bob@example.com']),
        cli.run(['org', 'add-member', '--org', 'acme', '--email', 'nobody@example.com']),
        cli.run(['org', 'add-member', '--org', 'acme', '--email', 'bob@example.com', '--role', 'admin']),
      ]);
      assertRefused(noOrg, 1, /no organization has slug nowhere/);
      assertRefused(noUser, 1, /no user has email nobody@example\.com/);
      assertRefused(badRole, 2, /--role must be owner or member/);
    });
  });
}
