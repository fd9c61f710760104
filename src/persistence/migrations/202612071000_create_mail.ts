/**
 * Mail (issue 15).
 *
 * mail_outbox: every message Tessera sends, written in the same transaction as the change that
 * causes it (a notice with its audit event, a link with its account_links row, an invitation with
 * its org_invitations row) and delivered afterwards by jobs/mail_sender.ts. A sender takes a row by
 * setting a lease (`lease_owner`, `lease_until`); a row whose lease ran out (a crashed sender) is
 * taken again. `status` is 'pending' until it is 'sent' or, after its last attempt or a permanent
 * refusal, 'failed'. `data` is the JSON the message is rendered from; it holds no secret (links are
 * recomputed from `account_links` ids with a key the database does not hold, crypto/account_links.ts).
 *
 * account_links: single-use links mailed to a person: verify an address, reset a password, confirm
 * a new address. `email` is the address the link was sent to; `stamp` binds a reset link to the
 * password it replaces (it dies when the password changes in the meantime).
 */
import { type Kysely } from 'kysely';

// Migrations see the schema as it was at the time, so they are untyped.
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('mail_outbox')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('to_address', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text')
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
    .addColumn('lease_owner', 'text')
    .addColumn('lease_until', 'bigint')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('sent_at', 'bigint')
    .execute();
  await db.schema.createIndex('mail_outbox_due').on('mail_outbox').columns(['status', 'next_attempt_at']).execute();
  // Per-address throttles count recent messages of a kind to an address.
  await db.schema.createIndex('mail_outbox_recipient').on('mail_outbox').columns(['to_address', 'created_at']).execute();

  await db.schema
    .createTable('account_links')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('stamp', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('used_at', 'bigint')
    .execute();
  await db.schema.createIndex('account_links_user').on('account_links').columns(['user_id', 'purpose']).execute();
  await db.schema.createIndex('account_links_expires').on('account_links').column('expires_at').execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('account_links').ifExists().execute();
  await db.schema.dropTable('mail_outbox').ifExists().execute();
}
