/**
 * `tessera mail list|retry` (issue 15, "How mail leaves Tessera"; docs/cli.md), the real CLI
 * against a listening server on the same database, which sends through a real SMTP server: a
 * message the mail server refused for good is listed `failed` with its error, `retry` makes it due
 * again and the running server's sender delivers it within its poll interval, with no other
 * signal than the outbox row. An id that is not a failed message is refused with exit 1 and
 * nothing changes; `list --json` never shows a message's data.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createUser } from '../support/fixtures.ts';
import { TestSmtpServer } from '../support/smtp.ts';
import { CliTarget, assertRefused } from './cli.ts';
import type { User } from '../../src/domain/users.ts';
import { until } from '../support/wait.ts';

const POLL_MS = 200;

interface Listed {
  id: string;
  kind: string;
  to: string;
  status: string;
  attempts: number;
  created_at: string;
  sent_at: string | null;
  next_attempt_at: string | null;
  last_error: string | null;
}


for (const dialect of dialects()) {
  describe(`tessera mail (${dialect})`, () => {
    let cli: CliTarget;
    let smtp: TestSmtpServer;
    let t: TestApp;
    let user: User;
    const list = async (...args: string[]) => (await cli.json<{ messages: Listed[] }>(['mail', 'list', ...args])).messages;

    /** A notice the mail server refuses for good (550): `failed` after one attempt. Its id. */
    async function failedNotice(): Promise<string> {
      smtp.refuseWith = 550;
      try {
        const before = new Set((await t.deps.stores.outbox.list({ limit: 1000 })).map((m) => m.id));
        await t.deps.stores.audit.record({ type: 'user.totp_enabled', userId: user.id }, t.clock.now());
        return await until('the notice to fail', async () => (await t.deps.stores.outbox.list({ status: 'failed', limit: 1000 })).find((m) => !before.has(m.id))?.id);
      } finally {
        smtp.refuseWith = undefined;
      }
    }

    before(async () => {
      cli = await CliTarget.create(dialect);
      smtp = await TestSmtpServer.start();
      t = await startTestApp({
        database: dialect === 'sqlite' ? { dialect, sqlitePath: cli.sqlitePath! } : { dialect, schema: cli.schema! },
        keyEncryptionKey: cli.kek,
        listen: true,
        env: { SMTP_URL: smtp.url, MAIL_POLL_MS: String(POLL_MS), MAIL_RETRY_SECONDS: '1', MAIL_MAX_ATTEMPTS: '3' },
      });
      user = await createUser(t.deps, 'mail-cli@example.com');
    });
    after(async () => {
      await t?.close();
      await smtp?.stop();
      await cli?.close();
    });

    it('lists a refused message as failed with its error; retry --id has the running server send it within its poll interval', async () => {
      const id = await failedNotice();
      const [failed] = (await list('--status', 'failed')).filter((m) => m.id === id);
      assert.ok(failed, 'listed under --status failed');
      assert.deepEqual(Object.keys(failed).sort(), ['attempts', 'created_at', 'id', 'kind', 'last_error', 'next_attempt_at', 'sent_at', 'status', 'to']);
      assert.equal(failed.kind, 'notice');
      assert.equal(failed.to, 'mail-cli@example.com');
      assert.equal(failed.attempts, 1);
      assert.equal(failed.sent_at, null);
      assert.match(failed.last_error ?? '', /550/);
      const text = await cli.run(['mail', 'list', '--status', 'failed']);
      assert.equal(text.code, 0, text.stderr);
      assert.match(text.stdout, new RegExp(`${id}  failed .* mail-cli@example\\.com  attempts=1  given up  error: .*550`));

      const retried = await cli.json<{ retried: number; ids: string[] }>(['mail', 'retry', `--id=${id}`]);
      assert.deepEqual(retried, { retried: 1, ids: [id] });
      // Nothing but the row tells the server: its sender finds it on its next poll.
      const since = Date.now();
      await smtp.waitFor((m) => m.headers.get('x-tessera-message-id') === id, 5000);
      const waited = Date.now() - since;
      assert.ok(waited < POLL_MS + 1500, `delivered ${waited} ms after the retry (poll every ${POLL_MS} ms)`);
      const sent = await until('the message marked sent', async () => (await list('--status', 'sent')).find((m) => m.id === id));
      assert.equal(sent.attempts, 1, 'a retry starts a fresh count of attempts');
      assert.equal(sent.last_error, null);
      assert.ok(sent.sent_at !== null && Date.parse(sent.sent_at) >= Date.parse(sent.created_at));
      assert.equal(smtp.received.filter((m) => m.headers.get('x-tessera-message-id') === id).length, 1);
    });

    it('refuses to retry an id that is not failed: sent, pending, unknown, or one among failed ones; nothing changes', async () => {
      const sent = (await t.deps.stores.outbox.list({ status: 'sent', limit: 1 }))[0]!;
      assertRefused(await cli.run(['mail', 'retry', `--id=${sent.id}`]), 1, new RegExp(`message ${sent.id} is sent, not failed`));
      // Pending and not yet due: written an hour ahead, so no sender takes it during the test.
      const pending = await t.deps.stores.outbox.enqueue({ kind: 'reset_unknown', to: 'later@example.com', userId: null, data: {} }, t.clock.now() + 3600);
      assertRefused(await cli.run(['mail', 'retry', `--id=${pending}`]), 1, /is pending, not failed; .*sent on its own/);
      assertRefused(await cli.run(['mail', 'retry', '--id', 'NoSuchMessage0000000000']), 1, /no message with id NoSuchMessage0000000000/);
      // All or nothing: a failed id next to a sent one is not retried either.
      const failed = await failedNotice();
      assertRefused(await cli.run(['mail', 'retry', `--id=${failed}`, `--id=${sent.id}`]), 1, /is sent, not failed/);
      assert.equal((await t.deps.stores.outbox.find(failed))?.status, 'failed');
      assert.equal((await t.deps.stores.outbox.find(pending))?.status, 'pending');
    });

    it('retry --failed sends every failed message; with none left it says so and succeeds', async () => {
      const failed = [await failedNotice(), await failedNotice()];
      const all = new Set((await list('--status', 'failed')).map((m) => m.id));
      for (const id of failed) assert.ok(all.has(id));
      const report = await cli.json<{ retried: number }>(['mail', 'retry', '--failed']);
      assert.equal(report.retried, all.size);
      for (const id of failed) await smtp.waitFor((m) => m.headers.get('x-tessera-message-id') === id);
      await until('no failed mail left', async () => ((await list('--status', 'failed')).length === 0 ? true : undefined));
      const again = await cli.run(['mail', 'retry', '--failed']);
      assert.equal(again.code, 0, again.stderr);
      assert.equal(again.stdout.trim(), 'no failed mail to retry');
    });

    it('never lists what a message is rendered from (a link message names its link row)', async () => {
      const linkId = 'LinkRowIdNotForDisplay1';
      const id = await t.deps.stores.outbox.enqueue({ kind: 'verify_email', to: user.email, userId: user.id, data: { linkId, name: 'Mail Cli', expiresAt: t.clock.now() + 86400 } }, t.clock.now());
      const out = await cli.run(['mail', 'list', '--limit', '5', '--json']);
      assert.equal(out.code, 0, out.stderr);
      const listed = (JSON.parse(out.stdout) as { messages: Listed[] }).messages;
      assert.ok(listed.some((m) => m.id === id && m.kind === 'verify_email'));
      assert.ok(listed.length <= 5);
      assert.doesNotMatch(out.stdout, new RegExp(linkId));
      assert.doesNotMatch(out.stdout, /https?:\/\//);
    });
  });
}

// The command line is checked before any database is opened, so one dialect covers it.
describe('tessera mail, usage', () => {
  let cli: CliTarget;
  before(async () => {
    cli = await CliTarget.create('sqlite');
  });
  after(async () => {
    await cli?.close();
  });

  it('usage errors exit 2 before the database is opened', async () => {
    assertRefused(await cli.run(['mail', 'retry']), 2, /needs --id ID \(repeatable\) or --failed/);
    assertRefused(await cli.run(['mail', 'retry', '--failed', '--id', 'abc']), 2, /either --id or --failed/);
    assertRefused(await cli.run(['mail', 'retry', '--id', 'a b;c']), 2, /is not a message id/);
    assertRefused(await cli.run(['mail', 'list', '--status', 'lost']), 2, /--status must be one of pending, sent, failed/);
    assertRefused(await cli.run(['mail', 'list', '--limit', '0']), 2, /--limit must be a whole number/);
    assert.equal(existsSync(cli.sqlitePath!), false, 'no database was made');
  });
});
