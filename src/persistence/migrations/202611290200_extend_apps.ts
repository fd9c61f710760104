/** The developer portal: the rest of an app's profile (issue 5), its uploaded logo, and DCR tokens. */
import type { Kysely } from 'kysely';

// Migrations see the schema as it was at the time, so they are untyped.
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  // SQLite adds one column per ALTER TABLE.
  for (const column of ['company_url', 'terms_url', 'privacy_url']) {
    await db.schema.alterTable('apps').addColumn(column, 'text').execute();
  }
  await db.schema.createIndex('apps_owner').on('apps').column('owner_user_id').execute();

  // The logo is re-served from our origin (SECURITY 39), so its bytes live with the app:
  // base64 text, at most 256 KB decoded, one row per app.
  await db.schema
    .createTable('app_logos')
    .addColumn('app_id', 'text', (c) => c.primaryKey().references('apps.id').onDelete('cascade'))
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  // Dynamic Client Registration (RFC 7591 §3, RFC 7592 §3): initial access tokens from the CLI
  // (single use) and each registered client's registration access token; digests only.
  await db.schema
    .createTable('registration_tokens')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('app_id', 'text', (c) => c.references('apps.id').onDelete('cascade'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint')
    .addColumn('used_at', 'bigint')
    .execute();
  await db.schema.createIndex('registration_tokens_app').on('registration_tokens').column('app_id').execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('registration_tokens').execute();
  await db.schema.dropTable('app_logos').execute();
  await db.schema.dropIndex('apps_owner').execute();
  for (const column of ['company_url', 'terms_url', 'privacy_url']) {
    await db.schema.alterTable('apps').dropColumn(column).execute();
  }
}
