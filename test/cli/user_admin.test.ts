/**
 * Issue 21, platform operators: `tessera user admin --email X --grant|--revoke` sets and clears
 * users.platform_operator_at through the accounts service, each change with its audit event
 * (`user.operator_granted` / `user.operator_revoked`, `via: cli`). Exactly one of --grant and
 * --revoke (else exit 2, nothing written); an unknown address is exit 1. Both dialects.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, type TestApp } from '../support/app.ts';
import { CliTarget, assertRefused } from './cli.ts';
import { createUser } from '../support/fixtures.ts';
import type { User } from '../../src/domain/users.ts';

for (const dialect of dialects()) {
  describe(`tessera user admin (${dialect})`, () => {
    let cli: CliTarget;
    let server: TestApp;
    let olga: User;

    before(async () => {
      cli = await CliTarget.create(dialect);
      await cli.json(['db', 'migrate']);
      server = await cli.startApp();
      olga = await createUser(server.deps, 'olga@example.com', 'Olga');
    });
    after(async () => {
      await server?.close();
      await cli?.close();
    });

    const operatorAt = async () => (await server.deps.stores.users.findById(olga.id))!.platformOperatorAt;
    const events = () => server.deps.stores.audit.listForUser(olga.id, ['user.operator_granted', 'user.operator_revoked'], 10);

    it('--grant makes the account an operator, audited with via cli; granting again changes nothing', async () => {
      assert.equal(await operatorAt(), null);
      const out = await cli.json(['user', 'admin', '--email', 'Olga@Example.com', '--grant']);
      assert.deepEqual(out, { id: olga.id, email: 'olga@example.com', platform_operator: true, changed: true });
      assert.equal(typeof (await operatorAt()), 'number');
      const [granted, ...rest] = await events();
      assert.equal(rest.length, 0);
      assert.equal(granted!.type, 'user.operator_granted');
      assert.deepEqual(granted!.detail, { via: 'cli' });

      const again = await cli.json(['user', 'admin', '--email', 'olga@example.com', '--grant']);
      assert.equal(again.changed, false);
      assert.equal((await events()).length, 1, 'no second event');
    });

    it('--revoke takes it away, audited', async () => {
      const text = await cli.run(['user', 'admin', '--email', 'olga@example.com', '--revoke']);
      assert.equal(text.code, 0, text.stderr);
      assert.match(text.stdout, /olga@example\.com .* is now not a platform operator/);
      assert.equal(await operatorAt(), null);
      const [revoked] = await events();
      assert.equal(revoked!.type, 'user.operator_revoked');
      assert.deepEqual(revoked!.detail, { via: 'cli' });
    });

    it('neither or both of --grant and --revoke is a usage error (exit 2); nothing changes', async () => {
      assertRefused(await cli.run(['user', 'admin', '--email', 'olga@example.com']), 2, /exactly one of --grant and --revoke/);
      assertRefused(await cli.run(['user', 'admin', '--email', 'olga@example.com', '--grant', '--revoke']), 2, /exactly one of --grant and --revoke/);
      assertRefused(await cli.run(['user', 'admin', '--grant']), 2, /--email/);
      assert.equal(await operatorAt(), null);
    });

    it('an unknown address is refused with exit 1', async () => {
      assertRefused(await cli.run(['user', 'admin', '--email', 'nobody@example.com', '--grant']), 1, /no personal account with email nobody@example\.com/);
    });
  });
}
