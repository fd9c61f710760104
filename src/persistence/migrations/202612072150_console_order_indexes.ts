/**
 * Indexes for the operator console's lists (issue 21): People, Services and Organizations page
 * newest first by (created_at, id), with a keyset cursor on the same pair
 * (persistence/stores/operator_reads.ts). Without a filter each page is then a range read of the
 * index, however many rows the table holds, instead of a sort of the whole table.
 */
import type { Kysely } from 'kysely';

// Migrations see the schema as it was at the time, so they are untyped.
type AnyDb = Kysely<any>;

const INDEXES: [name: string, table: string][] = [
  ['users_created', 'users'],
  ['apps_created', 'apps'],
  ['organizations_created', 'organizations'],
];

export async function up(db: AnyDb): Promise<void> {
  for (const [name, table] of INDEXES) await db.schema.createIndex(name).on(table).columns(['created_at', 'id']).execute();
}

export async function down(db: AnyDb): Promise<void> {
  for (const [name] of INDEXES) await db.schema.dropIndex(name).execute();
}
