/**
 * Issue 21, `tessera user list` and `tessera user show` through the real CLI on both dialects:
 * the table and the JSON lines (a cursor line last when another page follows, and following it
 * gives the rest), literal `%` search, the disabled filter, an empty result (a sentence; no line
 * with --json), a person's sections and JSON, an unknown person (exit 1) and bad flags (exit 2).
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, type TestApp } from '../support/app.ts';
import { createClient, createUser } from '../support/fixtures.ts';
import { digest } from '../../src/crypto/digest.ts';
import { randomId } from '../../src/crypto/random.ts';
import type { User } from '../../src/domain/users.ts';
import { CliTarget, assertRefused } from './cli.ts';

/** JSON lines: every line one object. */
function lines(stdout: string): Record<string, unknown>[] {
  assert.ok(stdout === '' || stdout.endsWith('\n'), 'ends with a newline');
  return stdout === '' ? [] : stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
}

for (const dialect of dialects()) {
  describe(`tessera user list / show (${dialect})`, () => {
    let cli: CliTarget;
    let server: TestApp;
    let alice: User;
    let carol: User;
    let sessionId: string;
    let clientId: string;

    before(async () => {
      cli = await CliTarget.create(dialect);
      await cli.json(['db', 'migrate']);
      server = await cli.startApp();
      const deps = server.deps;
      alice = await createUser(deps, 'alice@example.com', 'Alice Liddell', { verified: true });
      server.clock.advance(1);
      await createUser(deps, 'bob@example.com', 'Bob 100% Real');
      server.clock.advance(1);
      carol = await createUser(deps, 'carol@example.com', 'Carol 1000 Real');
      await deps.stores.users.disable(carol.id, server.clock.now());
      const now = server.clock.now();
      sessionId = digest(randomId());
      await deps.stores.sessions.create({ id: sessionId, userId: alice.id, authTime: now, amr: ['pwd'], createdAt: now, lastSeenAt: now, expiresAt: now + 3600, ip: '203.0.113.9', userAgent: 'Mozilla/5.0 Test' });
      const client = await createClient(deps, { name: 'CI Dashboard' });
      clientId = client.clientId;
      await deps.stores.grants.approve(alice.id, clientId, ['openid', 'profile'], now);
      await deps.stores.audit.record({ type: 'user.signed_in', userId: alice.id, ip: '203.0.113.9', detail: { amr: ['pwd'] } }, now);
    });
    after(async () => {
      await server?.close();
      await cli?.close();
    });

    it('lists people newest first as a table, and pages with the cursor it prints', async () => {
      const table = await cli.run(['user', 'list']);
      assert.equal(table.code, 0, table.stderr);
      const rows = table.stdout.trimEnd().split('\n');
      assert.match(rows[0]!, /^EMAIL\s+NAME\s+KIND\s+CREATED\s+LAST SIGN-IN\s+STATUS\s+ID$/);
      assert.deepEqual(rows.slice(1).map((r) => r.split(/\s{2,}/)[0]), ['carol@example.com', 'bob@example.com', 'alice@example.com']);
      assert.match(rows[1]!, /disabled/);
      assert.match(rows[3]!, new RegExp(`Alice Liddell\\s+personal\\s+\\S+Z\\s+\\S+Z\\s+enabled\\s+${alice.id}$`));

      const first = await cli.run(['user', 'list', '--limit', '2', '--json']);
      assert.equal(first.code, 0, first.stderr);
      const page = lines(first.stdout);
      assert.deepEqual(page.slice(0, 2).map((p) => p.email), ['carol@example.com', 'bob@example.com']);
      assert.deepEqual(Object.keys(page[0]!).sort(), ['created_at', 'disabled_at', 'email', 'id', 'kind', 'last_sign_in_at', 'name', 'platform_operator_at']);
      const next = page[2]!.next;
      assert.equal(typeof next, 'string');
      assert.equal(page.length, 3);

      const rest = lines((await cli.run(['user', 'list', '--limit', '2', '--after', next as string, '--json'])).stdout);
      assert.deepEqual(rest, [
        { id: alice.id, email: 'alice@example.com', name: 'Alice Liddell', kind: 'personal', created_at: alice.createdAt, disabled_at: null, platform_operator_at: null, last_sign_in_at: rest[0]!.last_sign_in_at },
      ]);
      assert.equal(typeof rest[0]!.last_sign_in_at, 'number');

      const human = await cli.run(['user', 'list', '--limit', '2']);
      assert.match(human.stdout, new RegExp(`\\n\\nMore: tessera user list --limit 2 --after ${next as string}\\n$`));
    });

    it('searches literally and filters; an empty result is a sentence, or nothing with --json', async () => {
      const percent = lines((await cli.run(['user', 'list', '--query', '100%', '--json'])).stdout);
      assert.deepEqual(percent.map((p) => p.email), ['bob@example.com']);
      const disabled = lines((await cli.run(['user', 'list', '--query', 'REAL', '--disabled', '--json'])).stdout);
      assert.deepEqual(disabled.map((p) => p.email), ['carol@example.com']);
      const none = await cli.run(['user', 'list', '--query', 'nobody']);
      assert.deepEqual([none.code, none.stdout], [0, 'no matching people\n']);
      const noneJson = await cli.run(['user', 'list', '--query', 'nobody', '--json']);
      assert.deepEqual([noneJson.code, noneJson.stdout], [0, '']);
    });

    it('shows one person in sections, and as one JSON object', async () => {
      const shown = await cli.run(['user', 'show', '--email', 'Alice@Example.com']);
      assert.equal(shown.code, 0, shown.stderr);
      const text = shown.stdout;
      assert.match(text, /^Alice Liddell <alice@example\.com>\n {2}id: +\S+/);
      assert.match(text, /\nSessions \(1 live\)\n {2}\S{8} {2}signed in \S+Z {2}last seen \S+Z {2}ip 203\.0\.113\.9 {2}amr pwd {2}Mozilla\/5\.0 Test\n/);
      assert.match(text, new RegExp(`\\nAuthorized services \\(1\\)\\n  CI Dashboard \\(${clientId}\\)  scopes: openid profile  orgs: all  approved \\S+Z  last used -\\n`));
      assert.match(text, /\nFactors\n {2}password: set\n {2}two-step \(TOTP\): off\n {2}recovery codes left: 0\n {2}passkeys: none\n/);
      assert.match(text, /\nOrganizations\n {2}none\n/);
      assert.match(text, /\nRecent security events \(newest 20\)\n {2}\S+Z {2}user\.signed_in {2}ip=203\.0\.113\.9/);
      assert.equal(text.includes(sessionId), false, 'never the whole session id');

      const json = await cli.json<Record<string, unknown>>(['user', 'show', `--id=${alice.id}`]);
      assert.equal(json.email, 'alice@example.com');
      assert.deepEqual(json.sessions, [{ id_prefix: sessionId.slice(0, 8), created_at: json.last_sign_in_at, last_seen_at: json.last_sign_in_at, ip: '203.0.113.9', user_agent: 'Mozilla/5.0 Test', amr: ['pwd'] }]);
      assert.deepEqual(json.grants, [{ client_id: clientId, app_name: 'CI Dashboard', scopes: ['openid', 'profile'], orgs: null, created_at: (json.grants as { created_at: number }[])[0]!.created_at, last_used_at: null }]);
      assert.deepEqual(json.factors, { password: true, totp: false, recovery_codes_left: 0, passkeys: [] });
      assert.deepEqual((json.events as { type: string }[]).map((e) => e.type), ['user.signed_in']);
    });

    it('refuses an unknown person (exit 1) and bad flags (exit 2)', async () => {
      assertRefused(await cli.run(['user', 'show', '--email', 'nobody@example.com']), 1, /no personal account with email nobody@example\.com/);
      assertRefused(await cli.run(['user', 'show', '--id', 'no-such-id']), 1, /no account with id no-such-id/);
      assertRefused(await cli.run(['user', 'show']), 2, /exactly one of --email and --id/);
      assertRefused(await cli.run(['user', 'show', '--email', 'alice@example.com', `--id=${alice.id}`]), 2, /exactly one of --email and --id/);
      assertRefused(await cli.run(['user', 'show', '--email', 'not-an-email']), 2, /is not an email address/);
      assertRefused(await cli.run(['user', 'list', '--limit', '0']), 2, /--limit must be a whole number from 1 to 200/);
      assertRefused(await cli.run(['user', 'list', '--limit', '201']), 2, /--limit/);
      assertRefused(await cli.run(['user', 'list', '--after', 'not-a-cursor']), 2, /--after is not a cursor/);
      assertRefused(await cli.run(['user', 'list', '--sort', 'name']), 2, /unknown flag --sort/);
    });
  });
}
