/**
 * SQLite WAL checkpoints run on a thread of their own (persistence/checkpointer.ts, issue 7): the
 * server's connection never checkpoints inside a commit, the thread copies the log back so it
 * restarts instead of growing, and should the thread fail the connection checkpoints by itself again.
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import { openDatabase } from '../../src/persistence/database.ts';
import { startCheckpointer } from '../../src/persistence/checkpointer.ts';

const dir = mkdtempSync(join(tmpdir(), 'tessera-checkpoint-'));

/** Frames in the log now, asked on a connection of the test's own (a PASSIVE checkpoint reports it). */
function framesInLog(path: string): number {
  const probe = new SQLite(path);
  try {
    const [row] = probe.pragma('wal_checkpoint(PASSIVE)') as { log: number }[];
    return row!.log;
  } finally {
    probe.close();
  }
}

async function writeRows(db: ReturnType<typeof openDatabase>['db'], n: number): Promise<void> {
  for (let i = 0; i < n; i++) await sql`insert into t (x) values (randomblob(4000))`.execute(db);
}

describe('SQLite checkpoints on their own thread', () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('the connection never checkpoints in a commit, and the thread lets the log restart', async () => {
    const path = join(dir, 'background.db');
    const handle = openDatabase({ dialect: 'sqlite', path }, { backgroundCheckpoints: true });
    try {
      const { rows } = await sql<{ wal_autocheckpoint: number }>`pragma wal_autocheckpoint`.execute(handle.db);
      assert.equal(rows[0]!.wal_autocheckpoint, 0);
      await sql`create table t (x blob)`.execute(handle.db);
      await writeRows(handle.db, 1500);
      // The thread checkpoints every 500 ms; once it has copied everything, the next commit restarts the log.
      const deadline = Date.now() + 10_000;
      let frames = Infinity;
      while (Date.now() < deadline && frames >= 100) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        await writeRows(handle.db, 1);
        frames = framesInLog(path);
      }
      assert.ok(frames < 100, `the log still holds ${frames} frames`);
    } finally {
      await handle.close();
    }
  });

  it('without the thread the same writes pile up in the log (what the test above would see if it did nothing)', async () => {
    const path = join(dir, 'inline.db');
    const sqlite = new SQLite(path);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('wal_autocheckpoint = 0');
    sqlite.exec('create table t (x blob)');
    const insert = sqlite.prepare('insert into t (x) values (randomblob(4000))');
    for (let i = 0; i < 1500; i++) insert.run();
    sqlite.close();
    // Closing the last connection checkpoints and removes the log; reopen and write to measure growth instead.
    const again = new SQLite(path);
    again.pragma('wal_autocheckpoint = 0');
    const insertAgain = again.prepare('insert into t (x) values (randomblob(4000))');
    for (let i = 0; i < 1500; i++) insertAgain.run();
    try {
      assert.ok(framesInLog(path) >= 1500);
    } finally {
      again.close();
    }
  });

  it('when the thread fails, the connection checkpoints by itself again and the failure is told', async () => {
    const path = join(dir, 'fallback.db');
    const sqlite = new SQLite(path);
    sqlite.pragma('journal_mode = WAL');
    let told: Error | undefined;
    // A path the thread cannot open: its directory does not exist.
    const checkpointer = startCheckpointer(sqlite, join(dir, 'missing', 'x.db'), { onError: (err) => (told = err) });
    try {
      const deadline = Date.now() + 10_000;
      while (!told && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      await checkpointer.stop();
      assert.ok(told instanceof Error, 'the failure reached onError');
      assert.equal(sqlite.pragma('wal_autocheckpoint', { simple: true }), 1000);
    } finally {
      sqlite.close();
    }
  });
});
