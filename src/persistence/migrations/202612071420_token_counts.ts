/**
 * token_counts: access tokens issued per UTC day, platform-wide, for the operator console's
 * Overview (issue 21). Written by the usage recorder's batch (one upsert per day per flush, never a
 * write per token); one row a day, so it is kept, not purged.
 */
import type { Kysely } from 'kysely';

// Migrations see the schema as it was at the time, so they are untyped.
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('token_counts')
    .addColumn('day', 'text', (c) => c.primaryKey())
    .addColumn('count', 'bigint', (c) => c.notNull())
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('token_counts').execute();
}
