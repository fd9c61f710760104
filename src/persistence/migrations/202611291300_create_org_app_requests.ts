/**
 * org_app_requests: members asking the owners of an organization to approve a third-party service
 * (issue 6). At most one pending request per (organization, service, person): a partial unique
 * index, which SQLite and PostgreSQL both support; answered requests stay as history.
 */
import { sql, type Kysely } from 'kysely';

// Migrations see the schema as it was at the time, so they are untyped.
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('org_app_requests')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('app_id', 'text', (c) => c.notNull().references('apps.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('decided_at', 'bigint')
    .addColumn('decided_by', 'text')
    .execute();
  await db.schema
    .createIndex('org_app_requests_one_pending')
    .on('org_app_requests')
    .columns(['org_id', 'app_id', 'user_id'])
    .unique()
    .where(sql.ref('status'), '=', sql.lit('pending'))
    .execute();
  await db.schema.createIndex('org_app_requests_org_status').on('org_app_requests').columns(['org_id', 'status']).execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('org_app_requests').ifExists().execute();
}
