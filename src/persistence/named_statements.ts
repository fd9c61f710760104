/**
 * The hot queries as named server-side prepared statements on PostgreSQL.
 *
 * pg sends every unnamed query through Parse, Bind and Execute, so PostgreSQL parses and plans the
 * same few statements again on every token, introspection and API call. Named, a statement is
 * parsed and planned once per connection and then only bound and run. On the 2-core benchmark
 * machine, where the database shares the CPU with the server, that was worth 1.3–1.9× on the token
 * endpoint, introspection and the API read (docs/performance.md, "Third round").
 *
 * Only the texts PreparedQuery compiled are named (persistence/prepared.ts): a fixed, small set,
 * each naming its columns (persistence/columns.ts) so that a later migration adding a column does
 * not make PostgreSQL refuse the cached statement. PreparedQuery marks its text with
 * `PREPARED_MARK`, which also shows a database administrator which statements these are (in
 * `pg_prepared_statements`, `pg_stat_statements` or the server log). Everything else runs unnamed.
 * @module
 */
import type pg from 'pg';

/** The comment PreparedQuery puts before its SQL text. */
export const PREPARED_MARK = '/* tessera:prepared */ ';

type Query = (text: unknown, values?: unknown, callback?: unknown) => unknown;

/**
 * From now on, a marked query on a connection of `pool` runs as a named statement. Kysely calls
 * `client.query(text, parameters)`; pg keeps each named statement per connection and parses it
 * again only on a new connection.
 */
export function namingStatements(pool: pg.Pool): void {
  const names = new Map<string, string>();
  const nameOf = (text: string) => {
    let name = names.get(text);
    if (name === undefined) names.set(text, (name = `tessera_${names.size + 1}`));
    return name;
  };
  pool.on('connect', (client) => {
    const query = client.query.bind(client) as Query;
    const named: Query = (text, values, callback) =>
      typeof text === 'string' && text.startsWith(PREPARED_MARK) ? query({ name: nameOf(text), text, values }, callback) : query(text, values, callback);
    (client as unknown as { query: Query }).query = named;
  });
}
