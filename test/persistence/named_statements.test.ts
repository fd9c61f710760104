/**
 * The hot queries run as named server-side statements on PostgreSQL (persistence/named_statements.ts):
 * a PreparedQuery is parsed once per connection and then only bound and run; the switch
 * DATABASE_PREPARED_STATEMENTS=off turns that off; and because the statements name their columns, a
 * migration adding a column does not break them — the test shows that a named `select *` would be
 * refused by PostgreSQL in the same situation.
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql, type Kysely } from 'kysely';
import { dialects, createPostgresSchema, POSTGRES_URL } from '../support/app.ts';
import { openDatabase, type DatabaseHandle } from '../../src/persistence/database.ts';
import { PreparedQuery } from '../../src/persistence/prepared.ts';

interface Db {
  items: { id: string; n: number };
}

async function openWithItems(preparedStatements: boolean, handles: DatabaseHandle[]): Promise<{ handle: DatabaseHandle; db: Kysely<Db> }> {
  const schema = await createPostgresSchema();
  const handle = openDatabase({ dialect: 'postgres', url: POSTGRES_URL, schema, preparedStatements });
  handles.push(handle);
  const db = handle.db as unknown as Kysely<Db>;
  await sql`create table items (id text primary key, n integer not null)`.execute(db);
  await db.insertInto('items').values([{ id: 'a', n: 1 }, { id: 'b', n: 2 }]).execute();
  return { handle, db };
}

/** The statements prepared on the connection `c`, by PostgreSQL's own account. */
async function prepared(c: Kysely<Db>) {
  const { rows } = await sql<{ statement: string; runs: string }>`
    select statement, (generic_plans + custom_plans)::text as runs from pg_prepared_statements where statement like '%"items"%'`.execute(c);
  return rows.map((r) => ({ statement: r.statement, runs: Number(r.runs) }));
}

if (dialects().includes('postgres')) {
  describe('named statements (postgres)', () => {
    const handles: DatabaseHandle[] = [];
    after(() => Promise.all(handles.map((h) => h.close())));

    it('runs a prepared query as one named statement, parsed once per connection and run with each call values', async () => {
      const { db } = await openWithItems(true, handles);
      const find = new PreparedQuery(db, (v: { id: string }) => db.selectFrom('items').select(['id', 'n']).where('id', '=', v.id));
      await db.connection().execute(async (c) => {
        assert.deepEqual(await find.first(c, { id: 'a' }), { id: 'a', n: 1 });
        assert.deepEqual(await find.first(c, { id: 'b' }), { id: 'b', n: 2 });
        const statements = await prepared(c);
        assert.equal(statements.length, 1, 'one statement for both calls');
        assert.match(statements[0]!.statement, /select "id", "n" from "items" where "id" = \$1/);
        assert.equal(statements[0]!.runs, 2, 'both calls ran the same prepared statement');
        // A query that is not a PreparedQuery stays unnamed.
        await db.selectFrom('items').select('n').where('id', '=', 'a').execute();
        await c.selectFrom('items').select('n').where('id', '=', 'a').execute();
        assert.equal((await prepared(c)).length, 1);
      });
    });

    it('prepares nothing when DATABASE_PREPARED_STATEMENTS is off', async () => {
      const { db } = await openWithItems(false, handles);
      const find = new PreparedQuery(db, (v: { id: string }) => db.selectFrom('items').select(['id', 'n']).where('id', '=', v.id));
      await db.connection().execute(async (c) => {
        assert.deepEqual(await find.first(c, { id: 'b' }), { id: 'b', n: 2 });
        assert.deepEqual(await prepared(c), []);
      });
    });

    it('keeps a prepared query working after a migration adds a column, where a named select * is refused', async () => {
      const { handle, db } = await openWithItems(true, handles);
      const find = new PreparedQuery(db, (v: { id: string }) => db.selectFrom('items').select(['id', 'n']).where('id', '=', v.id));
      const client = await handle.pool!.connect();
      try {
        const star = { name: 'items_star', text: 'select * from items where id = $1', values: ['a'] };
        assert.deepEqual((await client.query(star)).rows, [{ id: 'a', n: 1 }]);
        await db.connection().execute(async (c) => {
          assert.deepEqual(await find.first(c, { id: 'a' }), { id: 'a', n: 1 });
          // What the first node of a rolling upgrade does while the others keep serving.
          await sql`alter table items add column note text`.execute(c);
          assert.deepEqual(await find.first(c, { id: 'a' }), { id: 'a', n: 1 }, 'the named statement names its columns');
          assert.equal((await prepared(c))[0]?.runs, 2);
        });
        await assert.rejects(client.query(star), /cached plan must not change result type/);
      } finally {
        client.release();
      }
    });
  });
}
