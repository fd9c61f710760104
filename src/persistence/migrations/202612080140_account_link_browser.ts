/**
 * account_links.browser_digest and account_links.interaction_id (issue 20, "after sign-up, the
 * person is signed in"): a verification link mailed at sign-up remembers the digest of a random
 * value set in a cookie of the browser that signed up (crypto/account_links.ts), and the pending
 * authorization it started from. Opened in that browser, while the cookie lives, the link signs
 * the new account in and continues there; anywhere else it only proves the address. Null for
 * every other link, and for the links made before this migration.
 */
import type { Kysely } from 'kysely';

// Migrations see the schema as it was at the time, so they are untyped.
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema.alterTable('account_links').addColumn('browser_digest', 'text').execute();
  await db.schema.alterTable('account_links').addColumn('interaction_id', 'text').execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.alterTable('account_links').dropColumn('interaction_id').execute();
  await db.schema.alterTable('account_links').dropColumn('browser_digest').execute();
}
