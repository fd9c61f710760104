/**
 * The kill switch (issue 21): an operator suspends a service everywhere. One row per app that was
 * ever suspended. `lifted_at` is null while it is suspended; once lifted, the row stays, because
 * access tokens issued up to `suspended_at` stay refused after an unsuspend (refresh tokens work
 * again). `changed_at` is what every node's periodic sync reads (caches/suspended_apps.ts).
 * A table of its own, not columns on `apps`: the hot check never reads `apps`, and the app row
 * (client authentication's read) stays as it was.
 */
import type { Kysely } from 'kysely';

// Migrations see the schema as it was at the time, so they are untyped.
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('app_suspensions')
    .addColumn('app_id', 'text', (c) => c.primaryKey().references('apps.id').onDelete('cascade'))
    .addColumn('suspended_at', 'bigint', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('lifted_at', 'bigint')
    .addColumn('changed_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('app_suspensions_changed_at').on('app_suspensions').column('changed_at').execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('app_suspensions').execute();
}
