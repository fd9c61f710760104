/**
 * Single-page apps (issue 18, draft-ietf-oauth-browser-based-apps): `apps.spa` is 1 for a public
 * client that runs in a browser. It decides two things: CORS at /token, /revoke, /par and
 * /userinfo for the origins of its redirect URIs (§6.3.3.4), and the 24-hour absolute lifetime of
 * its unbound refresh tokens (§6.3.2.3). Every existing app starts at 0, so nothing changes for it.
 */
import type { Kysely } from 'kysely';

// Migrations see the schema as it was at the time, so they are untyped.
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema.alterTable('apps').addColumn('spa', 'integer', (c) => c.notNull().defaultTo(0)).execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.alterTable('apps').dropColumn('spa').execute();
}
