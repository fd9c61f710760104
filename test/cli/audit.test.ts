/**
 * The audit log for operators (issue 8, "Audit"): the events the issue names are recorded where
 * they happen (sign-in, grant approved, revoked by the person, by the client, on refresh-token
 * reuse, signing-key rotation), `tessera audit list` filters them by person, type, time and count,
 * and audit_events refuses UPDATE, and DELETE of events younger than 90 days (issue 7 purges older
 * ones), from the application's own connection.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql, type Kysely } from 'kysely';
import { dialects, type TestApp } from '../support/app.ts';
import { createClient, createUser } from '../support/fixtures.ts';
import { Browser, authorize, codeRequest, findForm } from '../support/browser.ts';
import { exchangeCode, obtainTokens, postForm, refresh } from '../support/codes.ts';
import { CliTarget, assertRefused } from './cli.ts';
import * as retentionFloor from '../../src/persistence/migrations/202611291700_relax_audit_deletes.ts';
import type { User } from '../../src/domain/users.ts';
import type { TestClient } from '../support/fixtures.ts';

const REDIRECT = 'https://app.example/cb';
const DAY = 86400;
const SCOPES = ['openid', 'offline_access', 'workitems:read'];

interface Event {
  id: number;
  at: string;
  type: string;
  user_id: string | null;
  user_email: string | null;
  app_id: string | null;
  ip: string | null;
  detail: Record<string, unknown>;
}

for (const dialect of dialects()) {
  describe(`tessera audit list (${dialect})`, () => {
    let cli: CliTarget;
    let t: TestApp;
    let alice: User;
    let bob: User;
    let client: TestClient;
    const list = async (...args: string[]) => (await cli.json<{ events: Event[] }>(['audit', 'list', ...args])).events;

    before(async () => {
      cli = await CliTarget.create(dialect);
      t = await cli.startApp();
      alice = await createUser(t.deps, 'alice@example.com', 'Alice');
      bob = await createUser(t.deps, 'bob@example.com', 'Bob');
      client = await createClient(t.deps, { name: 'Planner', redirectUris: [REDIRECT] });
    });
    after(async () => {
      await t.close();
      await cli.close();
    });

    it('records a sign-in and an approval made on the pages', async () => {
      const browser = new Browser(t);
      const { params, verifier } = codeRequest(client.clientId, REDIRECT, { scope: SCOPES.join(' ') });
      const back = await authorize(t, params, { browser, email: 'alice@example.com', approve: true });
      const code = back.searchParams.get('code')!;
      assert.equal((await exchangeCode(t, client, { code, verifier }, { redirect_uri: REDIRECT })).statusCode, 200);
      const events = await list('--user', 'alice@example.com');
      assert.deepEqual(events.map((e) => e.type), ['grant.approved', 'user.signed_in']);
      assert.equal(events[0]!.app_id, client.clientId);
      assert.equal(events[0]!.user_email, 'alice@example.com');
      assert.equal(events[1]!.user_id, alice.id);
      assert.deepEqual(events[1]!.detail, { amr: ['pwd'] });
      assert.ok(Math.abs(Date.parse(events[1]!.at) - Date.now()) < 120_000);
    });

    it('records a grant revoked by the person, by the client (RFC 7009), and on refresh-token reuse', async () => {
      // By the person, under Manage applications.
      const mine = await obtainTokens(t, { client, user: alice, scopes: SCOPES });
      const browser = new Browser(t);
      assert.equal((await browser.signIn('alice@example.com')).statusCode, 303);
      const confirm = await browser.get(`/profile/applications/${mine.grantId}/revoke`);
      const form = findForm(confirm.body, /\/revoke$/)!;
      assert.equal((await browser.post(form.action, form.hidden)).statusCode, 303);

      // By the client, revoking bob's refresh token.
      const bobs = await obtainTokens(t, { client, user: bob, scopes: SCOPES });
      assert.equal((await postForm(t, '/revoke', client, { token: bobs.refresh_token, token_type_hint: 'refresh_token' })).statusCode, 200);

      // On reuse: a rotated refresh token presented again revokes the grant.
      const again = await obtainTokens(t, { client, user: bob, scopes: SCOPES });
      assert.equal((await refresh(t, client, again.refresh_token)).statusCode, 200);
      assert.equal((await refresh(t, client, again.refresh_token)).statusCode, 400);

      const revokedByAlice = await list('--user', 'alice@example.com', '--type', 'grant.revoked');
      assert.equal(revokedByAlice.length, 1);
      assert.deepEqual(revokedByAlice[0]!.detail, { app: 'Planner' });
      const bobEvents = await list('--user', 'bob@example.com');
      assert.deepEqual(bobEvents.map((e) => e.type), ['refresh_token.reused', 'grant.revoked_by_client']);
      assert.ok(bobEvents.every((e) => e.app_id === client.clientId));
    });

    it('records a signing-key rotation made with the CLI', async () => {
      const rotated = await cli.json<{ current: string; previous: string }>(['keys', 'rotate']);
      const [event] = await list('--type', 'signing_key.rotated');
      assert.equal(event?.detail.current, rotated.current);
      assert.equal(event?.detail.previous, rotated.previous);
      assert.equal(event?.user_id, null);
    });

    it('--type with a trailing dot lists every event of an entity; --limit and --since cut the list', async () => {
      const grants = await list('--type', 'grant.');
      assert.deepEqual([...new Set(grants.map((e) => e.type))].sort(), ['grant.approved', 'grant.revoked', 'grant.revoked_by_client']);
      const all = await list();
      assert.ok(all.length >= 7);
      for (let i = 1; i < all.length; i++) assert.ok(all[i - 1]!.id > all[i]!.id || all[i - 1]!.at > all[i]!.at, 'newest first');
      assert.deepEqual(await list('--limit', '2'), all.slice(0, 2));
      assert.deepEqual(await list('--since', '2999-01-01'), []);
      assert.equal((await list('--since', new Date(Date.now() - 3_600_000).toISOString())).length, all.length);
      assert.deepEqual(await list('--type', 'nothing.happened'), []);
      // --until: a date alone keeps its whole day; a date-time is its second (UTC without an offset).
      assert.deepEqual(await list('--until', '2000-01-01'), []);
      assert.deepEqual(await list('--until', new Date(Date.now() + 3_600_000).toISOString().slice(0, 10)), all);
      const newest = all[0]!;
      assert.deepEqual((await list('--until', newest.at.replace(/\.\d+Z$/, ''), '--limit', '1'))[0], newest);
    });

    it('--app lists the events about one service only (issue 21, the bad day)', async () => {
      const all = await list();
      const ofClient = await list('--app', client.clientId);
      assert.ok(ofClient.length > 0);
      assert.ok(ofClient.every((e) => e.app_id === client.clientId));
      assert.deepEqual(ofClient, all.filter((e) => e.app_id === client.clientId));
      assert.ok(ofClient.length < all.length, 'events without the app are left out');
      assert.deepEqual(await list('--app', 'no-such-client'), []);
      assertRefused(await cli.run(['audit', 'list', '--app', ' ']), 2, /--app must not be empty/);
    });

    it('prints one line per event without --json', async () => {
      const result = await cli.run(['audit', 'list', '--user', 'alice@example.com', '--limit', '1']);
      assert.equal(result.code, 0, result.stderr);
      const expected = `  grant.revoked             alice@example.com  app=${client.clientId}  ip=127.0.0.1 {"app":"Planner"}\n`;
      assert.match(result.stdout, /^\d{4}-\d\d-\d\dT[\d:.]+Z  /);
      assert.equal(result.stdout.slice(24), expected);
    });

    it('bad filters are usage errors; an unknown person is refused', async () => {
      assertRefused(await cli.run(['audit', 'list', '--since', 'yesterday']), 2, /--since "yesterday" is not an ISO 8601 date/);
      assertRefused(await cli.run(['audit', 'list', '--since', '2026-13-45']), 2, /--since/);
      assertRefused(await cli.run(['audit', 'list', '--until', '2026-02-31']), 2, /--until "2026-02-31" is not an ISO 8601 date/);
      assertRefused(await cli.run(['audit', 'list', '--limit', '0']), 2, /--limit must be a whole number from 1 to 10000/);
      assertRefused(await cli.run(['audit', 'list', '--limit', 'ten']), 2, /--limit/);
      assertRefused(await cli.run(['audit', 'list', '--type', "x' or 1=1 --"]), 2, /is not an event type/);
      assertRefused(await cli.run(['audit', 'list', '--user', 'not-an-email']), 2, /is not an email address/);
      assertRefused(await cli.run(['audit', 'list', '--user', 'carol@example.com']), 1, /no person has the email carol@example\.com/);
    });

    it('audit_events is append-only: UPDATE and DELETE from the application connection fail', async () => {
      const db = t.deps.database.db;
      const before = await db.selectFrom('audit_events').selectAll().orderBy('id').execute();
      assert.ok(before.length > 0);
      await assert.rejects(db.updateTable('audit_events').set({ type: 'forged' }).execute(), /append-only/);
      await assert.rejects(db.deleteFrom('audit_events').execute(), /append-only/);
      if (dialect === 'postgres') await assert.rejects(sql`truncate audit_events`.execute(db), /append-only/);
      assert.deepEqual(await db.selectFrom('audit_events').selectAll().orderBy('id').execute(), before);
      // Appending still works.
      await t.deps.stores.audit.record({ type: 'test.appended' }, t.deps.clock.now());
      assert.equal((await list('--type', 'test.appended')).length, 1);
    });

    it('an event older than 90 days by the database clock may be deleted; a younger one may not, and none may be updated', async () => {
      const db = t.deps.database.db;
      const now = Math.floor(Date.now() / 1000);
      await t.deps.stores.audit.record({ type: 'test.old' }, now - 91 * DAY);
      await t.deps.stores.audit.record({ type: 'test.young' }, now - 89 * DAY);
      const typesLeft = async () => (await db.selectFrom('audit_events').select('type').where('type', 'in', ['test.old', 'test.young']).orderBy('type').execute()).map((r) => r.type);

      await assert.rejects(db.updateTable('audit_events').set({ detail: '{"forged":true}' }).where('type', '=', 'test.old').execute(), /append-only/);
      await assert.rejects(db.deleteFrom('audit_events').where('type', '=', 'test.young').execute(), /append-only/);
      // One statement over both: refused as a whole, the old one stays too.
      await assert.rejects(db.deleteFrom('audit_events').where('type', 'in', ['test.old', 'test.young']).execute(), /append-only/);
      assert.deepEqual(await typesLeft(), ['test.old', 'test.young']);
      assert.equal((await db.selectFrom('audit_events').select('detail').where('type', '=', 'test.old').executeTakeFirstOrThrow()).detail, '{}');

      const [deleted] = await db.deleteFrom('audit_events').where('type', '=', 'test.old').execute();
      assert.equal(Number(deleted?.numDeletedRows), 1);
      assert.deepEqual(await typesLeft(), ['test.young']);
    });

    it('migration 202611291700 down() restores the old triggers: then no event may be deleted, up() relaxes it again', async () => {
      const db = t.deps.database.db;
      const migrationDb = db as unknown as Kysely<any>;
      await t.deps.stores.audit.record({ type: 'test.ancient' }, Math.floor(Date.now() / 1000) - 400 * DAY);
      const ancient = db.deleteFrom('audit_events').where('type', '=', 'test.ancient');
      await retentionFloor.down(migrationDb);
      try {
        await assert.rejects(ancient.execute(), /append-only/);
        await assert.rejects(db.updateTable('audit_events').set({ type: 'forged' }).where('type', '=', 'test.ancient').execute(), /append-only/);
      } finally {
        await retentionFloor.up(migrationDb);
      }
      assert.equal(Number((await ancient.execute())[0]?.numDeletedRows), 1);
    });
  });
}
