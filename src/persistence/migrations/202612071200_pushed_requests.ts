/**
 * Pushed Authorization Requests (RFC 9126, issue 18): `pushed_requests`, one row per request pushed
 * to /par, keyed by the digest of its `request_uri` (SECURITY 46: the value itself is never stored),
 * holding the validated parameters until /authorize takes them once (§4, §7.3) or they expire (60 s);
 * and `apps.require_par` (1: the app's front-channel requests must come through /par, RFC 9126 §6).
 * Every existing app starts at 0.
 */
import type { Kysely } from 'kysely';

// Migrations see the schema as it was at the time, so they are untyped.
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema.alterTable('apps').addColumn('require_par', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema
    .createTable('pushed_requests')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('app_id', 'text', (c) => c.notNull().references('apps.id').onDelete('cascade'))
    .addColumn('params', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('used_at', 'bigint')
    .execute();
  // The janitor's purge (persistence/stores/purge.ts) goes by expiry.
  await db.schema.createIndex('pushed_requests_expires').on('pushed_requests').column('expires_at').execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('pushed_requests').execute();
  await db.schema.alterTable('apps').dropColumn('require_par').execute();
}
