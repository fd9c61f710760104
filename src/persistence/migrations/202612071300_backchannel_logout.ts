/**
 * OpenID Connect Back-Channel Logout 1.0 (issue 19).
 *
 * apps: `backchannel_logout_uri` (§2.2; null = none) and `backchannel_logout_session_required`
 * (1: the app wants `sid` in its logout tokens; Tessera sends it always).
 *
 * session_apps: which apps a person signed in to during a session: one row per (session, app),
 * written when an authorization code is issued in that session, with the session's `sid` (§2.1, a
 * value derived from the session id with a key the database does not hold, crypto/session_ids.ts).
 * When the session ends, each such app with a back-channel logout URI gets a delivery.
 *
 * outbound_deliveries: requests Tessera sends on its own (a logout token now; security events
 * later), written in the transaction of the change that causes them, sent by jobs/outbound_sender.ts
 * under a lease exactly like the mail outbox. `payload` holds the claims to sign, never a token:
 * the token is signed at send time, so its `exp` is short at every attempt.
 *
 * authorization_codes.sid: the sid the code's ID token carries (OIDC Back-Channel Logout §2.4).
 */
import { type Kysely } from 'kysely';

// Migrations see the schema as it was at the time, so they are untyped.
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema.alterTable('apps').addColumn('backchannel_logout_uri', 'text').execute();
  await db.schema.alterTable('apps').addColumn('backchannel_logout_session_required', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('authorization_codes').addColumn('sid', 'text').execute();

  await db.schema
    .createTable('session_apps')
    .addColumn('session_id', 'text', (c) => c.notNull())
    .addColumn('app_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('sid', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('session_apps_pk', ['session_id', 'app_id'])
    .execute();
  await db.schema.createIndex('session_apps_created').on('session_apps').column('created_at').execute();

  await db.schema
    .createTable('outbound_deliveries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('app_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text')
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
    .addColumn('lease_owner', 'text')
    .addColumn('lease_until', 'bigint')
    .addColumn('last_error', 'text')
    .addColumn('last_status', 'integer')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('give_up_at', 'bigint', (c) => c.notNull())
    .addColumn('sent_at', 'bigint')
    .execute();
  await db.schema.createIndex('outbound_deliveries_due').on('outbound_deliveries').columns(['status', 'next_attempt_at']).execute();
  await db.schema.createIndex('outbound_deliveries_created').on('outbound_deliveries').column('created_at').execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('outbound_deliveries').ifExists().execute();
  await db.schema.dropTable('session_apps').ifExists().execute();
  await db.schema.alterTable('authorization_codes').dropColumn('sid').execute();
  await db.schema.alterTable('apps').dropColumn('backchannel_logout_session_required').execute();
  await db.schema.alterTable('apps').dropColumn('backchannel_logout_uri').execute();
}
