/**
 * Issue 21, `tessera app list` and `tessera app show` through the real CLI on both dialects: the
 * table and JSON lines with the cursor line, the search by name, publisher or client id (`_`
 * taken literally), the suspended and verified filters, a service's owners, secrets, people,
 * suspension and error codes (text and JSON), an unknown client id (exit 1) and bad flags (exit 2).
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, type TestApp } from '../support/app.ts';
import { createClient, createUser, type TestClient } from '../support/fixtures.ts';
import { isoDay } from '../../src/domain/app_errors.ts';
import { CliTarget, assertRefused } from './cli.ts';

function lines(stdout: string): Record<string, unknown>[] {
  return stdout === '' ? [] : stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
}

for (const dialect of dialects()) {
  describe(`tessera app list / show (${dialect})`, () => {
    let cli: CliTarget;
    let server: TestApp;
    let dashboard: TestClient;
    let bot: TestClient;
    let tracker: TestClient;

    before(async () => {
      cli = await CliTarget.create(dialect);
      await cli.json(['db', 'migrate']);
      server = await cli.startApp();
      const deps = server.deps;
      const alice = await createUser(deps, 'alice@example.com', 'Alice');
      const bob = await createUser(deps, 'bob@example.com', 'Bob');
      dashboard = await createClient(deps, { name: 'CI Dashboard' });
      await deps.database.db.updateTable('apps').set({ owner_user_id: alice.id, publisher: 'Acme_Corp' }).where('id', '=', dashboard.clientId).execute();
      server.clock.advance(1);
      bot = await createClient(deps, { name: 'Chat Bot' });
      server.clock.advance(1);
      tracker = await createClient(deps, { name: 'Time Tracker', public: true });
      const now = server.clock.now();
      await deps.stores.grants.approve(alice.id, dashboard.clientId, ['openid'], now);
      await deps.stores.grants.approve(bob.id, dashboard.clientId, ['openid', 'profile'], now);
      await deps.stores.apps.setVerified(bot.clientId, true);
      await deps.stores.appErrors.add([{ appId: dashboard.clientId, day: isoDay(now), code: 'invalid_client', count: 4 }]);
      await deps.stores.appSuspensions.suspend(dashboard.clientId, 'Secret leaked in a public repository', now, { type: 'app.suspended', appId: dashboard.clientId, detail: { via: 'cli' } });
    });
    after(async () => {
      await server?.close();
      await cli?.close();
    });

    it('lists services newest first as a table and as JSON lines with the cursor last', async () => {
      const table = await cli.run(['app', 'list']);
      assert.equal(table.code, 0, table.stderr);
      const rows = table.stdout.trimEnd().split('\n');
      assert.match(rows[0]!, /^CLIENT ID\s+NAME\s+PUBLISHER\s+VERIFIED\s+STATUS\s+OWNERS\s+PEOPLE\s+CREATED$/);
      assert.deepEqual(rows.slice(1).map((r) => r.split(/\s{2,}/).slice(0, 7)), [
        [tracker.clientId, 'Time Tracker', 'Test Publisher', 'no', 'active', '0', '0'],
        [bot.clientId, 'Chat Bot', 'Test Publisher', 'yes', 'active', '0', '0'],
        [dashboard.clientId, 'CI Dashboard', 'Acme_Corp', 'no', 'suspended', '1', '2'],
      ]);

      const first = lines((await cli.run(['app', 'list', '--limit', '2', '--json'])).stdout);
      assert.deepEqual(first.slice(0, 2).map((s) => s.client_id), [tracker.clientId, bot.clientId]);
      assert.equal(first.length, 3);
      const next = first[2]!.next as string;
      const rest = lines((await cli.run(['app', 'list', '--limit', '2', '--after', next, '--json'])).stdout);
      assert.deepEqual(rest, [
        {
          client_id: dashboard.clientId,
          name: 'CI Dashboard',
          company: 'Acme_Corp',
          verified: false,
          suspended: true,
          suspended_at: rest[0]!.suspended_at,
          suspension_reason: 'Secret leaked in a public repository',
          owners: 1,
          people: 2,
          created_at: dashboard.app.createdAt,
        },
      ]);
      assert.equal(typeof rest[0]!.suspended_at, 'number');
    });

    it('searches by name, publisher or client id, literally; filters suspended and verified', async () => {
      const ids = async (...args: string[]) => lines((await cli.run(['app', 'list', ...args, '--json'])).stdout).map((s) => s.client_id);
      assert.deepEqual(await ids('--query', 'acme_'), [dashboard.clientId]);
      assert.deepEqual(await ids('--query', 'acmex'), []);
      assert.deepEqual(await ids('--query', bot.clientId.slice(4, 20).toUpperCase()), [bot.clientId]);
      assert.deepEqual(await ids('--suspended'), [dashboard.clientId]);
      assert.deepEqual(await ids('--verified'), [bot.clientId]);
      const none = await cli.run(['app', 'list', '--query', 'no such service']);
      assert.deepEqual([none.code, none.stdout], [0, 'no matching services\n']);
    });

    it('shows one service: owners, secrets, people, suspension, error codes', async () => {
      const shown = await cli.run(['app', 'show', '--client-id', dashboard.clientId]);
      assert.equal(shown.code, 0, shown.stderr);
      const text = shown.stdout;
      assert.match(text, /^"CI Dashboard" by Acme_Corp\n/);
      assert.match(text, /\n {2}status: +SUSPENDED since \S+Z: Secret leaked in a public repository\n/);
      assert.match(text, /\n {2}owners: +alice@example\.com\n/);
      assert.match(text, /\n {2}secrets: +\S+ {2}created \S+Z {2}last used -\n/);
      assert.match(text, /\n {2}people: +2 with a live authorization\n/);
      assert.match(text, /\n {2}last 30 days: +0 token response\(s\); errors: invalid_client 4\n$/);

      const json = await cli.json<Record<string, unknown>>(['app', 'show', '--client-id', dashboard.clientId]);
      assert.equal(json.client_id, dashboard.clientId);
      assert.deepEqual(json.owners, ['alice@example.com']);
      assert.equal(json.people, 2);
      assert.equal(json.suspended, true);
      assert.equal((json.suspension as { reason: string }).reason, 'Secret leaked in a public repository');
      assert.equal((json.secrets as unknown[]).length, 1);
      assert.deepEqual(json.redirect_uris, ['https://app.example/cb']);
      assert.deepEqual((json.usage as { errors_by_code: unknown }).errors_by_code, [{ code: 'invalid_client', count: 4 }]);
      const publicApp = await cli.json<Record<string, unknown>>(['app', 'show', '--client-id', tracker.clientId]);
      assert.deepEqual([publicApp.client_type, publicApp.secrets, publicApp.owners, publicApp.suspension], ['public', [], [], null]);
    });

    it('refuses an unknown client id (exit 1) and bad flags (exit 2)', async () => {
      assertRefused(await cli.run(['app', 'show', '--client-id', 'nope']), 1, /no app has client_id nope/);
      assertRefused(await cli.run(['app', 'show']), 2, /--client-id/);
      assertRefused(await cli.run(['app', 'list', '--limit', 'ten']), 2, /--limit must be a whole number/);
      assertRefused(await cli.run(['app', 'list', '--after', 'WzEsMl0']), 2, /--after is not a cursor/);
      assertRefused(await cli.run(['app', 'list', '--query', '  ']), 2, /--query must not be empty/);
    });
  });
}
