/**
 * grant_call_kinds: a grant's API calls per UTC day and kind of call (method, route pattern, and
 * the organization it reached), for "Manage applications": "Read work items in Acme, 7 times
 * today" (issue 20). Written by the usage recorder's batch, never a write per call. A refused call
 * is counted without its organization (org ''), so a service calling made-up organizations adds
 * no rows beyond one per route. Purged with the rest of a grant's activity.
 */
import type { Kysely } from 'kysely';

// Migrations see the schema as it was at the time, so they are untyped.
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('grant_call_kinds')
    .addColumn('grant_id', 'text', (c) => c.notNull().references('grants.id').onDelete('cascade'))
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('method', 'text', (c) => c.notNull())
    .addColumn('route', 'text', (c) => c.notNull())
    .addColumn('org', 'text', (c) => c.notNull())
    .addColumn('calls', 'bigint', (c) => c.notNull())
    .addColumn('refused', 'bigint', (c) => c.notNull())
    .addColumn('last_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('grant_call_kinds_pk', ['grant_id', 'day', 'method', 'route', 'org'])
    .execute();
  await db.schema.createIndex('grant_call_kinds_day').on('grant_call_kinds').column('day').execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('grant_call_kinds').execute();
}
