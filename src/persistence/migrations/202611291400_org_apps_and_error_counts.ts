/**
 * The developer portal, continued (issue 5): an app may belong to an organization instead of one
 * person (`apps.owner_org_id`; its owners manage it), and errors answered to an app are counted
 * per UTC day and error code for its usage panel (`app_error_counts`).
 */
import type { Kysely } from 'kysely';

// Migrations see the schema as it was at the time, so they are untyped.
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  // No ON DELETE action: an organization that owns apps cannot vanish from under them unnoticed.
  await db.schema.alterTable('apps').addColumn('owner_org_id', 'text', (c) => c.references('organizations.id')).execute();
  await db.schema.createIndex('apps_owner_org').on('apps').column('owner_org_id').execute();

  // One row per (app, day, code), added to in batches (jobs/error_counter.ts); goes with the app.
  await db.schema
    .createTable('app_error_counts')
    .addColumn('app_id', 'text', (c) => c.notNull().references('apps.id').onDelete('cascade'))
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('count', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('app_error_counts_pk', ['app_id', 'day', 'code'])
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('app_error_counts').execute();
  await db.schema.dropIndex('apps_owner_org').execute();
  await db.schema.alterTable('apps').dropColumn('owner_org_id').execute();
}
