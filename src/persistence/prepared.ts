/**
 * A query Kysely builds and compiles once, then runs many times with new values.
 *
 * On the hot paths (token refresh and exchange, the API read, introspection) building the same
 * query anew on every request — Kysely's `freeze`, `visitNode`, `cloneWith*` — cost as much CPU as
 * running it on SQLite (docs/performance.md: 10–15% of the server's time on /token and the API).
 * The SQL text of these queries never changes, only their values, so they are compiled once per
 * store with a named placeholder for each value, and each run substitutes the values in place.
 *
 * A placeholder is a marker string Kysely passes through as an ordinary parameter; the constructor
 * checks that every placeholder the builder used came out as a parameter, so a shape Kysely would
 * inline (none of the stores' shapes do) fails at start-up rather than at run time.
 *
 * On PostgreSQL the compiled text, marked with PREPARED_MARK, runs as a named server-side statement
 * (persistence/named_statements.ts), so it must name its columns rather than select `*`
 * (persistence/columns.ts says why); the constructor refuses `*` on either dialect.
 * @module
 */
import type { Compilable, CompiledQuery, Kysely, QueryResult, RawBuilder } from 'kysely';
import { PREPARED_MARK } from './named_statements.ts';

const MARK = '\u0000tessera.placeholder:';
/** `select *`, `"t".*` or `t.*` in a select list, returning list or CTE. */
const SELECTS_STAR = /(^|[\s,(.])\*(\s|,|$)/;

export class PreparedQuery<V extends object, Row> {
  private readonly compiled: CompiledQuery<Row>;
  /** For each parameter of the compiled query: the name of its value, or undefined for a constant. */
  private readonly slots: (keyof V | undefined)[];

  /** `db` is the database the query will run on (its dialect compiles the SQL). */
  constructor(db: Kysely<any>, build: (values: V) => Compilable<Row> | RawBuilder<Row>) {
    const used = new Set<string>();
    const placeholders = new Proxy({} as V, {
      get: (_target, name) => {
        used.add(String(name));
        return MARK + String(name);
      },
    });
    const query = build(placeholders);
    const compiled = 'isRawBuilder' in query ? query.compile(db) : query.compile();
    this.compiled = { ...compiled, sql: PREPARED_MARK + compiled.sql };
    this.slots = this.compiled.parameters.map((p) => (typeof p === 'string' && p.startsWith(MARK) ? (p.slice(MARK.length) as keyof V) : undefined));
    const missing = [...used].filter((name) => !this.slots.includes(name as keyof V));
    if (missing.length > 0) throw new Error(`prepared query: ${missing.join(', ')} did not become parameters of ${this.compiled.sql}`);
    if (SELECTS_STAR.test(this.compiled.sql)) throw new Error(`prepared query: name the columns instead of selecting * in ${this.compiled.sql}`);
  }

  /** Runs on `db` or a transaction of it (the same dialect it was compiled for). */
  run(db: Kysely<any>, values: V): Promise<QueryResult<Row>> {
    const constants = this.compiled.parameters;
    const parameters = this.slots.map((name, i) => (name === undefined ? constants[i] : values[name]));
    return db.executeQuery<Row>({ ...this.compiled, parameters });
  }

  async first(db: Kysely<any>, values: V): Promise<Row | undefined> {
    return (await this.run(db, values)).rows[0];
  }

  /** Rows an INSERT, UPDATE or DELETE changed. */
  async changed(db: Kysely<any>, values: V): Promise<number> {
    return Number((await this.run(db, values)).numAffectedRows ?? 0n);
  }
}
