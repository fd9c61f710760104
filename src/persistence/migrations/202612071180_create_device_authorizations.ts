/**
 * The device flow (RFC 8628, issue 17): `apps.device_flow` (1 when the app opted in; every existing
 * app starts at 0, so nothing can use the grant until its owner turns it on), and
 * `device_authorizations`, one row per /device_authorization request. Only digests of the
 * device_code (the row id) and of the user_code are stored (SECURITY 46); the requester's address
 * and user agent are kept to show on the confirm page, where the person judges whether it was them.
 */
import type { Kysely } from 'kysely';

// Migrations see the schema as it was at the time, so they are untyped.
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema.alterTable('apps').addColumn('device_flow', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema
    .createTable('device_authorizations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_code_digest', 'text', (c) => c.notNull().unique())
    .addColumn('app_id', 'text', (c) => c.notNull().references('apps.id').onDelete('cascade'))
    .addColumn('scopes', 'text', (c) => c.notNull())
    .addColumn('requester_ip', 'text', (c) => c.notNull())
    .addColumn('requester_user_agent', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('poll_interval', 'integer', (c) => c.notNull())
    .addColumn('last_polled_at', 'bigint')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text')
    .addColumn('grant_id', 'text')
    .addColumn('family_id', 'text')
    .addColumn('auth_time', 'bigint')
    .addColumn('amr', 'text')
    .addColumn('decided_at', 'bigint')
    .execute();
  await db.schema.createIndex('device_authorizations_expires').on('device_authorizations').column('expires_at').execute();
  await db.schema.createIndex('device_authorizations_grant').on('device_authorizations').column('grant_id').execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('device_authorizations').execute();
  await db.schema.alterTable('apps').dropColumn('device_flow').execute();
}
