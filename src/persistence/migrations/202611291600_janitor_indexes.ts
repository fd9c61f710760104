/**
 * Indexes for the janitor (src/jobs/janitor.ts, issue 7 "Keeping data bounded"): every purge
 * selects its next batch by a time or day column, so each of those columns is indexed and a batch
 * costs a range scan, not a scan of the whole table, however large the table has grown.
 */
import type { Kysely } from 'kysely';

// Migrations see the schema as it was at the time, so they are untyped.
type AnyDb = Kysely<any>;

const INDEXES: [name: string, table: string, column: string][] = [
  ['refresh_tokens_revoked', 'refresh_tokens', 'revoked_at'],
  ['sessions_ended', 'sessions', 'ended_at'],
  ['grant_narrowings_expiry', 'grant_narrowings', 'expires_at'],
  ['grant_activity_day', 'grant_activity', 'day'],
  ['grant_actions_at', 'grant_actions', 'at'],
  ['pending_sign_ins_expiry', 'pending_sign_ins', 'expires_at'],
  ['app_error_counts_day', 'app_error_counts', 'day'],
];

export async function up(db: AnyDb): Promise<void> {
  for (const [name, table, column] of INDEXES) await db.schema.createIndex(name).on(table).column(column).execute();
}

export async function down(db: AnyDb): Promise<void> {
  for (const [name] of INDEXES) await db.schema.dropIndex(name).execute();
}
