/**
 * DPoP (RFC 9449, issue 18):
 * - `apps.dpop_bound_access_tokens` (§5.2): 1 when the app takes only DPoP-bound tokens; every
 *   existing app starts at 0, so nothing changes for it.
 * - `authorization_codes.dpop_jkt` (§10): the thumbprint `dpop_jkt` bound the code to at /authorize.
 * - `refresh_tokens.dpop_jkt` (§5): a public client's refresh token is bound to the proof's key.
 * - `dpop_proofs`: the `jti`s of proofs already accepted (§11.1), one row per proof until its `iat`
 *   leaves the accepted window, so a replay is refused by every node sharing the database.
 */
import type { Kysely } from 'kysely';

// Migrations see the schema as it was at the time, so they are untyped.
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema.alterTable('apps').addColumn('dpop_bound_access_tokens', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('authorization_codes').addColumn('dpop_jkt', 'text').execute();
  await db.schema.alterTable('refresh_tokens').addColumn('dpop_jkt', 'text').execute();
  await db.schema
    .createTable('dpop_proofs')
    // SHA-256 of the key thumbprint and the jti: bounded length whatever the client sent.
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('dpop_proofs_expires').on('dpop_proofs').column('expires_at').execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('dpop_proofs').execute();
  await db.schema.alterTable('refresh_tokens').dropColumn('dpop_jkt').execute();
  await db.schema.alterTable('authorization_codes').dropColumn('dpop_jkt').execute();
  await db.schema.alterTable('apps').dropColumn('dpop_bound_access_tokens').execute();
}
