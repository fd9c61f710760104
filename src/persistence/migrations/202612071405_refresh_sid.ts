/**
 * refresh_tokens.sid (issue 19): the sid of the sign-in session the family's authorization code
 * was issued in (crypto/session_ids.ts), copied to every token of the family at each rotation, so
 * the ID token of a refresh names the same session as the first one (OpenID Connect Core §12.2;
 * Back-Channel Logout 1.0 §2.4: the `sid` a logout token for that session carries). The code's own
 * row, which held it until now, is purged soon after its redemption. Null: no session (the device
 * flow, or a family older than this column).
 */
import { type Kysely } from 'kysely';

// Migrations see the schema as it was at the time, so they are untyped.
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema.alterTable('refresh_tokens').addColumn('sid', 'text').execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.alterTable('refresh_tokens').dropColumn('sid').execute();
}
