/**
 * Passkeys (issue 16, WebAuthn Level 3).
 *
 * passkeys: one row per credential. `id` is the credential id (base64url), globally unique; an
 * authenticator never hands the same one to two accounts. `user_handle` is the WebAuthn `user.id`
 * the credential was made for (random, shared by all of one account's passkeys, never the account
 * id or email: WebAuthn §14.6.1), checked against the `userHandle` an assertion returns.
 * `public_key` is the COSE key (base64url). `counter` is the last signature counter seen (a
 * counter that does not grow is a sign of a cloned authenticator, §6.1.1). `transports` is a
 * JSON list (hints for the browser). `backup_eligible` / `backed_up` are the BE and BS flags of
 * the authenticator data (§6.1): a synced passkey may leave the device.
 *
 * passkey_challenges: a challenge handed out for one ceremony, kept server-side and taken once
 * (the row is deleted when used, whatever the outcome), so an assertion cannot be replayed.
 * `id` is the SHA-256 digest of the challenge; `purpose` which ceremony it is for; `user_id` the
 * account it is bound to (registration, second factor), `pending_id` the pending sign-in it is
 * bound to (second factor); `data` is JSON the ceremony needs afterwards (the new account's name
 * and address for a passkey sign-up, the user handle for a registration).
 */
import type { Kysely } from 'kysely';

// Migrations see the schema as it was at the time, so they are untyped.
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('passkeys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('user_handle', 'text', (c) => c.notNull())
    .addColumn('public_key', 'text', (c) => c.notNull())
    .addColumn('counter', 'bigint', (c) => c.notNull())
    .addColumn('transports', 'text', (c) => c.notNull())
    .addColumn('backup_eligible', 'integer', (c) => c.notNull())
    .addColumn('backed_up', 'integer', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('aaguid', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_used_at', 'bigint')
    .execute();
  await db.schema.createIndex('passkeys_user').on('passkeys').column('user_id').execute();

  await db.schema
    .createTable('passkey_challenges')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.references('users.id').onDelete('cascade'))
    .addColumn('pending_id', 'text')
    .addColumn('data', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('passkey_challenges_expires').on('passkey_challenges').column('expires_at').execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('passkey_challenges').ifExists().execute();
  await db.schema.dropTable('passkeys').ifExists().execute();
}
