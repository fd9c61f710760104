/**
 * The addresses an app may have people sent back to after signing out (OIDC RP-Initiated Logout
 * 1.0 §3.1 `post_logout_redirect_uris`, SECURITY 38): a JSON array like `redirect_uris`, compared
 * by simple string comparison; none by default.
 */
import type { Kysely } from 'kysely';

// Migrations see the schema as it was at the time, so they are untyped.
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema.alterTable('apps').addColumn('post_logout_redirect_uris', 'text', (c) => c.notNull().defaultTo('[]')).execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.alterTable('apps').dropColumn('post_logout_redirect_uris').execute();
}
