/**
 * Two real server processes (src/main.ts) on one database, each with its own mail sender (issue
 * 15: "one sender per message across nodes"), on PostgreSQL (FOR UPDATE SKIP LOCKED) and on a
 * SQLite file (one writer at a time), sending to one real SMTP server: 40 messages written at once
 * arrive exactly once each (counted by X-Tessera-Message-Id), each was attempted once, and the
 * processes' logs name exactly one sender per message.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects } from '../support/app.ts';
import { TestSmtpServer } from '../support/smtp.ts';
import { startServerProcess, type ServerProcess } from '../support/processes.ts';
import { CliTarget } from '../cli/cli.ts';
import { sleep } from './http.ts';
import { loadConfig } from '../../src/config/config.ts';
import { openDatabase, type DatabaseHandle } from '../../src/persistence/database.ts';
import { migrateToLatest } from '../../src/persistence/migrate.ts';
import { insertMail, SqlOutboxStore } from '../../src/persistence/stores/outbox.ts';

const N = 40;

/** Ids of the messages a process's log says it sent (`mail sent`, jobs/mail_sender.ts). */
function sentBy(server: ServerProcess): string[] {
  const ids: string[] = [];
  for (const line of server.output().split('\n')) {
    if (!line.startsWith('{')) continue;
    const entry = JSON.parse(line) as { msg?: string; mail?: string };
    if (entry.msg === 'mail sent' && typeof entry.mail === 'string') ids.push(entry.mail);
  }
  return ids;
}

for (const dialect of dialects()) {
  describe(`two server processes share one outbox (${dialect})`, () => {
    let target: CliTarget;
    let smtp: TestSmtpServer;
    let database: DatabaseHandle;
    const nodes: ServerProcess[] = [];

    before(async () => {
      target = await CliTarget.create(dialect);
      smtp = await TestSmtpServer.start();
      const config = loadConfig({ ...target.env(), LOG_LEVEL: 'silent' });
      database = openDatabase(config.database);
      await migrateToLatest(database.db);
      // Logs at info: each `mail sent` line names the message and so the process that sent it.
      const env = target.env({ SMTP_URL: smtp.url, MAIL_POLL_MS: '100', MAIL_RETRY_SECONDS: '1', LOG_LEVEL: 'info' });
      nodes.push(await startServerProcess(env), await startServerProcess(env));
    });
    after(async () => {
      for (const node of nodes) await node.stop('SIGKILL');
      await database?.close();
      await smtp?.stop();
      await target?.close();
    });

    it(`each of ${N} messages is delivered exactly once`, async (t) => {
      // Written in one transaction, so both senders find all of them due at once and compete.
      const now = Math.floor(Date.now() / 1000);
      const ids = await database.db.transaction().execute(async (tx) => {
        const written: string[] = [];
        for (let i = 0; i < N; i++) written.push(await insertMail(tx, { kind: 'reset_unknown', to: `node-race-${i}@example.com`, userId: null, data: {} }, now));
        return written;
      });
      const arrived = (id: string) => smtp.received.filter((m) => m.headers.get('x-tessera-message-id') === id).length;
      const deadline = Date.now() + 30_000;
      while (ids.some((id) => arrived(id) === 0) && Date.now() < deadline) await sleep(50);
      // More polls on both nodes: nothing comes twice.
      await sleep(1000);
      const counts = ids.map(arrived);
      assert.deepEqual(counts.filter((n) => n !== 1), [], `arrivals per message: ${JSON.stringify(counts)}`);
      assert.equal(smtp.received.filter((m) => ids.includes(String(m.headers.get('x-tessera-message-id')))).length, N);

      const outbox = new SqlOutboxStore(database.db, database.dialect);
      for (const id of ids) {
        const row = (await outbox.find(id))!;
        assert.equal(row.status, 'sent', id);
        // Each claim counts an attempt: a message two senders had taken would show 2.
        assert.equal(row.attempts, 1, `attempts of ${id}`);
      }
      const [a, b] = nodes.map((node) => sentBy(node).filter((id) => ids.includes(id)));
      assert.equal(a!.length + b!.length, N, 'one `mail sent` line per message across both processes');
      assert.equal(new Set([...a!, ...b!]).size, N);
      t.diagnostic(`sent by the first process: ${a!.length}, by the second: ${b!.length}`);
    });
  });
}
