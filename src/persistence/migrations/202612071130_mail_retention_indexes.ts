/**
 * Indexes for the janitor's purges of mail, account links and invitations (issue 15; jobs/janitor.ts,
 * persistence/stores/purge.ts), so each batch is a range scan as for the other tables
 * (202611291600_janitor_indexes). Failed mail is found by the outbox's own (status,
 * next_attempt_at) index and expired links by account_links_expires (202612071000_create_mail).
 */
import type { Kysely } from 'kysely';

// Migrations see the schema as it was at the time, so they are untyped.
type AnyDb = Kysely<any>;

const INDEXES: [name: string, table: string, column: string][] = [
  ['mail_outbox_sent', 'mail_outbox', 'sent_at'],
  ['account_links_used', 'account_links', 'used_at'],
  ['org_invitations_expiry', 'org_invitations', 'expires_at'],
  ['org_invitations_decided', 'org_invitations', 'decided_at'],
];

export async function up(db: AnyDb): Promise<void> {
  for (const [name, table, column] of INDEXES) await db.schema.createIndex(name).on(table).column(column).execute();
}

export async function down(db: AnyDb): Promise<void> {
  for (const [name] of INDEXES) await db.schema.dropIndex(name).execute();
}
