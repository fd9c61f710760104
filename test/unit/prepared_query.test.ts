/**
 * PreparedQuery (src/persistence/prepared.ts): a query compiled once runs with each call's values
 * in place of its placeholders, keeps the constants it was built with, and a placeholder Kysely did
 * not turn into a parameter stops the start, not a request.
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { PreparedQuery } from '../../src/persistence/prepared.ts';

interface Db {
  t: { id: string; n: number; kind: string };
}

describe('PreparedQuery', () => {
  const db = new Kysely<Db>({ dialect: new SqliteDialect({ database: new SQLite(':memory:') }) });
  after(() => db.destroy());

  it('runs with each call values, keeping the constants it was built with', async () => {
    await sql`create table t (id text primary key, n integer not null, kind text not null)`.execute(db);
    await db.insertInto('t').values([{ id: 'a', n: 1, kind: 'x' }, { id: 'b', n: 2, kind: 'y' }, { id: 'c', n: 3, kind: 'x' }]).execute();
    const find = new PreparedQuery(db, (v: { min: number }) => db.selectFrom('t').select('id').where('kind', '=', 'x').where('n', '>=', v.min).orderBy('id'));
    assert.deepEqual((await find.run(db, { min: 1 })).rows, [{ id: 'a' }, { id: 'c' }]);
    assert.deepEqual((await find.run(db, { min: 2 })).rows, [{ id: 'c' }], 'the second call does not see the first values');
    const bump = new PreparedQuery(db, (v: { id: string; n: number }) => db.updateTable('t').set({ n: v.n }).where('id', '=', v.id));
    assert.equal(await bump.changed(db, { id: 'b', n: 20 }), 1);
    assert.equal(await bump.changed(db, { id: 'nobody', n: 1 }), 0);
    assert.deepEqual(await new PreparedQuery(db, (v: { id: string }) => db.selectFrom('t').select('n').where('id', '=', v.id)).first(db, { id: 'b' }), { n: 20 });
  });

  it('refuses at construction a query that selects * (a named statement on PostgreSQL must name its columns)', () => {
    assert.throws(() => new PreparedQuery(db, (v: { id: string }) => db.selectFrom('t').selectAll().where('id', '=', v.id)), /name the columns/);
    assert.throws(() => new PreparedQuery(db, (v: { id: string }) => db.selectFrom('t as x').selectAll('x').where('x.id', '=', v.id)), /name the columns/);
    const counted = new PreparedQuery(db, (v: { kind: string }) => db.selectFrom('t').select((eb) => eb.fn.countAll<number>().as('n')).where('kind', '=', v.kind));
    assert.ok(counted, 'count(*) is not a select list of *');
  });

  it('refuses at construction a placeholder that did not become a parameter', () => {
    // sql.raw inlines its text: the placeholder would be compared as a literal string forever.
    assert.throws(() => new PreparedQuery(db, (v: { id: string }) => db.selectFrom('t').select('id').where('id', '=', sql.raw<string>(`'${v.id}'`))), /id did not become parameters/);
  });
});
