/**
 * A transaction that reads and then writes must not fail because another process wrote in between
 * (the CLI, a second server, its mail sender). With a deferred BEGIN, SQLite refuses such a
 * transaction at its first write with SQLITE_BUSY_SNAPSHOT, and the request answered 500; found by
 * test/reliability/sign_in_crash.test.ts. The other writer here is a worker thread with its own
 * connection to the same file, writing in a loop while this one runs read-then-write transactions.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { sql } from 'kysely';
import { openDatabase } from '../../src/persistence/database.ts';

const OTHER_WRITER = `
const { workerData, parentPort } = require('node:worker_threads');
const SQLite = require('better-sqlite3');
const db = new SQLite(workerData.path);
db.pragma('busy_timeout = 5000');
const insert = db.prepare('insert into counter (who) values (?)');
let stop = false;
parentPort.on('message', () => { stop = true; });
(function loop() {
  if (stop) { db.close(); parentPort.postMessage('done'); return; }
  insert.run('other');
  setTimeout(loop, 0);
})();
`;

describe('SQLite transactions and another writer on the same file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-lock-'));
  const path = join(dir, 'lock.db');
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('a read-then-write transaction waits for the other writer instead of failing', async () => {
    const handle = openDatabase({ dialect: 'sqlite', path });
    await sql`create table counter (id integer primary key, who text not null)`.execute(handle.db);
    const worker = new Worker(OTHER_WRITER, { eval: true, workerData: { path } });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const failures: string[] = [];
    try {
      for (let i = 0; i < 300; i++) {
        try {
          await handle.db.transaction().execute(async (trx) => {
            await sql`select count(*) from counter`.execute(trx);
            // Give the other thread the moment to commit between the read and the write.
            await new Promise((resolve) => setImmediate(resolve));
            await sql`insert into counter (who) values ('this')`.execute(trx);
          });
        } catch (err) {
          failures.push((err as { code?: string }).code ?? String(err));
        }
      }
    } finally {
      const done = new Promise((resolve) => worker.once('message', resolve));
      worker.postMessage('stop');
      await done;
      await worker.terminate();
    }
    assert.deepEqual(failures.slice(0, 3), []);
    const [mine, theirs] = await Promise.all(['this', 'other'].map(async (who) => (await sql<{ n: number }>`select count(*) as n from counter where who = ${who}`.execute(handle.db)).rows[0]!.n));
    assert.equal(mine, 300);
    assert.ok(theirs! > 0, 'the other writer never wrote: the test proves nothing');
    await handle.close();
  });
});
