/**
 * Device recognition (issue 15, domain/known_browsers.ts).
 *
 * known_browsers: one row per (account, browser) that signed in to the account. `browser_digest`
 * is SHA-256 over the account id and the browser's random cookie id, never the id itself, so the
 * table neither links accounts that share a browser nor holds a usable cookie. Written with the
 * session in its transaction; `last_seen_at` moves at every sign-in, and the janitor deletes rows
 * unused for KNOWN_BROWSER_DAYS (400 days, the cookie's own lifetime).
 */
import { type Kysely } from 'kysely';

// Migrations see the schema as it was at the time, so they are untyped.
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('known_browsers')
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('browser_digest', 'text', (c) => c.notNull())
    .addColumn('first_seen_at', 'bigint', (c) => c.notNull())
    .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('known_browsers_pkey', ['user_id', 'browser_digest'])
    .execute();
  // The janitor's purge reads by age.
  await db.schema.createIndex('known_browsers_last_seen').on('known_browsers').column('last_seen_at').execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('known_browsers').ifExists().execute();
}
