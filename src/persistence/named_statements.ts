/**
 * The hot queries as named server-side prepared statements on PostgreSQL.
 *
 * pg sends every unnamed query through Parse, Bind and Execute, so PostgreSQL parses and plans the
 * same few statements again on every token, introspection and API call. Named, a statement is
 * parsed and planned once per connection and then only bound and run. On this 2-core machine, where
 * the database shares the CPU with the server, that was worth +40–60% on the token endpoint and
 * introspection and +36% on the API read (docs/performance.md, "Third round").
 *
 * Only the texts PreparedQuery compiled are named (persistence/prepared.ts): a fixed, small set,
 * each naming its columns (persistence/columns.ts) so that a later migration adding a column does
 * not make PostgreSQL refuse the cached statement. Everything else runs unnamed as before.
 * @module
 */
import type pg from 'pg';

const names = new Map<string, string>();

/** Marks `text` as a statement to keep prepared on every connection of every pool that names them. */
export function nameStatement(text: string): void {
  if (!names.has(text)) names.set(text, `tessera_${names.size + 1}`);
}

type Query = (text: unknown, values?: unknown, callback?: unknown) => unknown;

/**
 * From now on, a query of a connection of `pool` whose text was named runs as that named statement.
 * Kysely calls `client.query(text, parameters)`; pg keeps the prepared statement per connection
 * and parses it again only on a new connection.
 */
export function namingStatements(pool: pg.Pool): void {
  pool.on('connect', (client) => {
    const query = client.query.bind(client) as Query;
    const named: Query = (text, values, callback) => {
      const name = typeof text === 'string' ? names.get(text) : undefined;
      return name === undefined ? query(text, values, callback) : query({ name, text, values }, callback);
    };
    (client as unknown as { query: Query }).query = named;
  });
}
