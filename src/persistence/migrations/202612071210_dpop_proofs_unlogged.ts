/**
 * PostgreSQL: `dpop_proofs` becomes UNLOGGED. Every DPoP-bound API call inserts one row, and a
 * logged insert waits for its WAL flush at commit (about 3 ms here, against 0.13 ms unlogged; bench
 * scenario 1b). The rows live 60 s and only stop replays, so the trade is small: after a crash (or
 * on a promoted replica, which has no unlogged data) the table starts empty, and a proof accepted in
 * the last minute before could be replayed once within what is left of its window. SQLite has no
 * such thing and needs none (synchronous = NORMAL already commits without an fsync).
 */
import { PostgresAdapter, sql, type Kysely } from 'kysely';

// Migrations see the schema as it was at the time, so they are untyped.
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  if (db.getExecutor().adapter instanceof PostgresAdapter) await sql`ALTER TABLE dpop_proofs SET UNLOGGED`.execute(db);
}

export async function down(db: AnyDb): Promise<void> {
  if (db.getExecutor().adapter instanceof PostgresAdapter) await sql`ALTER TABLE dpop_proofs SET LOGGED`.execute(db);
}
