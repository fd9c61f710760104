/**
 * The change feed of processes sharing one SQLite file (persistence/change_feed.ts,
 * SqliteChangeFeed): each announcement (revocation, key rotation, membership, policy, app) is a
 * row that every other process reads on its next poll. Rows older than a minute are deleted by
 * whoever appends. Created on PostgreSQL too, so both schemas stay the same, but unused there
 * (LISTEN/NOTIFY carries the feed).
 */
import { PostgresAdapter, type Kysely } from 'kysely';

// Migrations see the schema as it was at the time, so they are untyped.
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  await db.schema
    .createTable('changes')
    .addColumn('id', postgres ? 'bigserial' : 'integer', (c) => (postgres ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('origin', 'text', (c) => c.notNull())
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('changes').execute();
}
