/**
 * Group commit on SQLite (issue 14, persistence/group_commit.ts): the writes of one turn of the
 * event loop share one COMMIT, and still
 * - every answer waits for its own commit: when a rotation's 200 arrives, another connection on the
 *   file already sees the new token (it sees committed rows only);
 * - a unit that fails is undone alone, the rest of its group commits;
 * - a COMMIT that fails fails every unit of its group (none is answered as done), and the
 *   connection works afterwards;
 * - no read is answered from a write that is not committed yet;
 * - another process writing the same file is not starved;
 * - the log stays bounded under a long burst of writes (persistence/wal_checkpoints.ts).
 * SQLite only: PostgreSQL commits each transaction itself.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import { openDatabase, type DatabaseHandle } from '../../src/persistence/database.ts';
import { GroupCommitFailed } from '../../src/persistence/group_commit.ts';
import { digest } from '../../src/crypto/digest.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { createParties, type TestClient } from '../support/fixtures.ts';
import { obtainTokens, refresh } from '../support/codes.ts';
import type { User } from '../../src/domain/users.ts';

const dir = mkdtempSync(join(tmpdir(), 'tessera-group-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

async function openFresh(): Promise<{ handle: DatabaseHandle; path: string; other: SQLite.Database }> {
  const path = join(dir, `g${files++}.db`);
  const handle = openDatabase({ dialect: 'sqlite', path });
  await sql`create table item (id text primary key, body text not null)`.execute(handle.db);
  await sql`create table parent (id integer primary key)`.execute(handle.db);
  await sql`create table child (id integer primary key, parent_id integer not null references parent(id) deferrable initially deferred)`.execute(handle.db);
  // Another connection on the same file: it sees committed rows only.
  const other = new SQLite(path);
  other.pragma('busy_timeout = 5000');
  return { handle, path, other };
}

const committed = (other: SQLite.Database, id: string) => other.prepare('select count(*) as n from item where id = ?').get(id) as { n: number };

describe('SQLite group commit', () => {
  it('concurrent token rotations share commits, and each 200 comes after its own commit', async () => {
    const t: TestApp = await startTestApp({ dialect: 'sqlite' });
    try {
      const { alice, c1 } = (await createParties(t.deps)) as { alice: User; c1: TestClient };
      const N = 40;
      const tokens: string[] = [];
      for (let i = 0; i < N; i++) tokens.push((await obtainTokens(t, { client: c1, user: alice, scopes: ['openid', 'offline_access'] })).refresh_token);
      const group = t.deps.database.sqlite!.group;
      const before = { ...group.stats };
      const other = new SQLite(t.config.database.dialect === 'sqlite' ? t.config.database.path : '');
      const seenAtAnswer: boolean[] = [];
      const stored = other.prepare('select rotated_at from refresh_tokens where id = ?');
      await Promise.all(
        tokens.map((rt) =>
          refresh(t, c1, rt).then((res) => {
            assert.equal(res.statusCode, 200, res.body);
            const next = (JSON.parse(res.body) as { refresh_token: string }).refresh_token;
            // At the moment of the answer, another connection sees the successor stored and the
            // presented token rotated: both committed.
            const presented = stored.get(digest(rt)) as { rotated_at: number | null } | undefined;
            const successor = stored.get(digest(next)) as { rotated_at: number | null } | undefined;
            seenAtAnswer.push(presented?.rotated_at != null && successor !== undefined);
          }),
        ),
      );
      other.close();
      assert.equal(seenAtAnswer.length, N);
      assert.ok(seenAtAnswer.every(Boolean), 'a refresh was answered before its rotation was committed');
      const units = group.stats.units - before.units;
      const groups = group.stats.groups - before.groups;
      assert.ok(units >= N, `${units} units for ${N} rotations`);
      assert.ok(groups < units, `no two rotations shared a commit (${groups} groups for ${units} units)`);
    } finally {
      await t.close();
    }
  });

  it('a unit that fails is undone alone; the rest of its group commits', async () => {
    const { handle, other } = await openFresh();
    const { group } = handle.sqlite!;
    const groupsBefore = group.stats.groups;
    const results = await Promise.allSettled(
      ['a', 'b', 'c', 'd'].map((id) =>
        handle.db.transaction().execute(async (trx) => {
          await sql`insert into item (id, body) values (${id}, 'x')`.execute(trx);
          await sql`insert into item (id, body) values (${id + '2'}, 'y')`.execute(trx);
          if (id === 'b') throw new Error('unit b fails after its writes');
        }),
      ),
    );
    assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    assert.equal(group.stats.groups - groupsBefore, 1, 'the four units were not one group');
    for (const id of ['a', 'a2', 'c', 'c2', 'd', 'd2']) assert.equal(committed(other, id).n, 1, id);
    for (const id of ['b', 'b2']) assert.equal(committed(other, id).n, 0, id);
    // A write failing on its own (a duplicate key) in the middle of a group: the same.
    const single = await Promise.allSettled([
      sql`insert into item (id, body) values ('e', 'x')`.execute(handle.db),
      sql`insert into item (id, body) values ('a', 'duplicate')`.execute(handle.db),
      sql`insert into item (id, body) values ('f', 'x')`.execute(handle.db),
    ]);
    assert.deepEqual(single.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled']);
    assert.equal(committed(other, 'e').n + committed(other, 'f').n, 2);
    other.close();
    await handle.close();
  });

  it('a COMMIT that fails fails the whole group, and the connection works afterwards', async () => {
    const { handle, other } = await openFresh();
    const { group } = handle.sqlite!;
    const groupsBefore = group.stats.groups;
    // A deferred foreign key is checked at COMMIT (https://www.sqlite.org/foreignkeys.html#fk_deferred):
    // the orphan child makes the group's COMMIT fail, after every unit's savepoint was released.
    const results = await Promise.allSettled([
      handle.db.transaction().execute(async (trx) => {
        await sql`insert into item (id, body) values ('g1', 'x')`.execute(trx);
      }),
      handle.db.transaction().execute(async (trx) => {
        await sql`insert into child (id, parent_id) values (1, 999)`.execute(trx);
      }),
      sql`insert into item (id, body) values ('g2', 'x')`.execute(handle.db),
    ]);
    assert.equal(group.stats.groups - groupsBefore, 1, 'the three units were not one group');
    for (const r of results) {
      assert.equal(r.status, 'rejected', 'a unit of a group whose COMMIT failed was answered as done');
      assert.ok((r as PromiseRejectedResult).reason instanceof GroupCommitFailed, String((r as PromiseRejectedResult).reason));
      assert.equal(((r as PromiseRejectedResult).reason as GroupCommitFailed).code, 'SQLITE_CONSTRAINT_FOREIGNKEY');
    }
    assert.equal(committed(other, 'g1').n + committed(other, 'g2').n, 0);
    assert.equal((other.prepare('select count(*) as n from child').get() as { n: number }).n, 0);
    // The connection is usable: out of the transaction, and the next group commits.
    assert.equal(handle.sqlite!.group.sqlite.inTransaction, false);
    await handle.db.transaction().execute(async (trx) => {
      await sql`insert into item (id, body) values ('g3', 'x')`.execute(trx);
    });
    assert.equal(committed(other, 'g3').n, 1);
    other.close();
    await handle.close();
  });

  it('a full database: what was answered as done is stored, what failed is not, and writing goes on', async () => {
    const { handle, other } = await openFresh();
    const pages = (other.prepare('pragma page_count').get() as { page_count: number }).page_count;
    // No room beyond a few pages: the inserts below fail with SQLITE_FULL part-way through.
    await sql.raw(`pragma max_page_count = ${pages + 2}`).execute(handle.db);
    const big = 'x'.repeat(3000);
    const ids = Array.from({ length: 12 }, (_, i) => `full${i}`);
    const results = await Promise.allSettled(ids.map((id) => sql`insert into item (id, body) values (${id}, ${big})`.execute(handle.db)));
    const done = ids.filter((_, i) => results[i]!.status === 'fulfilled');
    const failed = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
    assert.ok(failed.length > 0, 'the database never filled up: the test proves nothing');
    for (const f of failed) assert.match(String((f.reason as { code?: string }).code), /SQLITE_FULL/);
    for (const id of ids) assert.equal(committed(other, id).n, done.includes(id) ? 1 : 0, id);
    await sql.raw('pragma max_page_count = 1073741823').execute(handle.db);
    await sql`insert into item (id, body) values ('after-full', 'x')`.execute(handle.db);
    assert.equal(committed(other, 'after-full').n, 1);
    other.close();
    await handle.close();
  });

  it('no read is answered from a write that is not committed yet', async () => {
    const { handle, other } = await openFresh();
    let inserted!: () => void;
    const insertedYet = new Promise<void>((resolve) => (inserted = resolve));
    const writer = handle.db.transaction().execute(async (trx) => {
      await sql`insert into item (id, body) values ('r1', 'x')`.execute(trx);
      inserted();
      // The group stays open across a few turns of the event loop.
      await new Promise((resolve) => setTimeout(resolve, 30));
    });
    await insertedYet;
    const read = sql<{ n: number }>`select count(*) as n from item where id = 'r1'`.execute(handle.db).then((r) => {
      // Whatever the read saw must be committed by the time it is answered.
      assert.equal(committed(other, 'r1').n, r.rows[0]!.n);
      return r.rows[0]!.n;
    });
    assert.equal(await read, 1, 'the read ran before the group and missed a write made before it');
    await writer;
    other.close();
    await handle.close();
  });

  it('another process writing the same file is not starved by back-to-back groups', async () => {
    const { handle, path } = await openFresh();
    const worker = new Worker(OTHER_WRITER, { eval: true, workerData: { path } });
    const report = new Promise<{ done: number; errors: string[] }>((resolve) => worker.once('message', resolve));
    const until = Date.now() + 3000;
    let mine = 0;
    // Ten callers writing in a loop, as ten connections to /token would.
    await Promise.all(
      Array.from({ length: 10 }, async (_, w) => {
        while (Date.now() < until) {
          await handle.db.transaction().execute(async (trx) => {
            await sql`insert into item (id, body) values (${`m${w}-${mine++}`}, 'x')`.execute(trx);
          });
        }
      }),
    );
    worker.postMessage('stop');
    const { done, errors } = await report;
    await worker.terminate();
    assert.deepEqual(errors, [], `the other writer failed (${done} commits; this one ${mine})`);
    assert.ok(mine > 100, `this process wrote only ${mine} rows`);
    assert.ok(done >= 10, `the other writer committed only ${done} times in 3 s (this one ${mine})`);
    await handle.close();
  });

  it('the log stays bounded under a long burst of writes', async () => {
    const { handle, path } = await openFresh();
    const BOUND = 32 * 2 ** 20;
    const body = 'y'.repeat(4000);
    const deadline = Date.now() + 40_000;
    let largest = 0;
    let rows = 0;
    const sampler = setInterval(() => {
      if (existsSync(path + '-wal')) largest = Math.max(largest, statSync(path + '-wal').size);
    }, 5);
    // Ten writers until three times the bound went through the log (every row is at least its body).
    await Promise.all(
      Array.from({ length: 10 }, async (_, w) => {
        while (rows * body.length < 3 * BOUND && Date.now() < deadline) {
          await handle.db.transaction().execute(async (trx) => {
            const id = `w${w}-${rows++}`;
            await sql`insert into item (id, body) values (${id}, ${body})`.execute(trx);
            await sql`update item set body = ${body + rows} where id = ${`w${w}-${Math.floor(rows / 2)}`}`.execute(trx);
          });
        }
      }),
    );
    clearInterval(sampler);
    if (existsSync(path + '-wal')) largest = Math.max(largest, statSync(path + '-wal').size);
    const database = statSync(path).size;
    const { figures } = handle.sqlite!.checkpoints!;
    await handle.close();
    assert.ok(rows * body.length >= 3 * BOUND, `only ${rows} rows written in 40 s: too few to show a bound`);
    assert.ok(figures.passes > 0 && figures.finals > 0, JSON.stringify(figures));
    assert.ok(largest < BOUND, `the log reached ${(largest / 2 ** 20).toFixed(1)} MB (database ${(database / 2 ** 20).toFixed(1)} MB, ${rows} rows, ${JSON.stringify(figures)})`);
  });
});

const OTHER_WRITER = `
const { workerData, parentPort } = require('node:worker_threads');
const SQLite = require('better-sqlite3');
const db = new SQLite(workerData.path);
db.pragma('busy_timeout = 5000');
const insert = db.prepare("insert into item (id, body) values (?, 'other')");
let stop = false, done = 0;
const errors = [];
parentPort.on('message', () => { stop = true; });
(function loop() {
  if (stop) { db.close(); parentPort.postMessage({ done, errors }); return; }
  try { insert.run('o' + done); done++; } catch (err) { errors.push(err.code || String(err)); }
  setTimeout(loop, 10);
})();
`;
