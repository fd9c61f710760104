/**
 * The janitor's deletes (domain/purge.ts). Each is one bounded statement,
 * `DELETE … WHERE key IN (SELECT key … WHERE <past cutoff> LIMIT n)`, which SQLite and PostgreSQL
 * both run, so a batch holds its locks briefly and never rewrites a large table in one go. Every
 * condition is on an indexed column (migrations 202611291600_janitor_indexes and
 * 202612071130_mail_retention_indexes; audit_events.at from the first migration;
 * passkey_challenges.expires_at from 202612071140_create_passkeys).
 * @module
 */
import { PostgresAdapter, sql, type RawBuilder } from 'kysely';
import type { Db } from '../database.ts';
import { AUDIT_FLOOR_DAYS, type PurgeKind, type PurgeStore } from '../../domain/purge.ts';

function utcDay(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString().slice(0, 10);
}

/**
 * The database's clock in whole epoch seconds, the clock its audit trigger judges by: rounded
 * down, so nothing this selects is younger than the trigger's floor; a bigint on PostgreSQL, so
 * `at` is compared without a cast.
 */
function databaseNow(postgres: boolean): RawBuilder<number> {
  return postgres ? sql<number>`cast(floor(extract(epoch from now())) as bigint)` : sql<number>`cast(strftime('%s', 'now') as integer)`;
}

/** The statement deleting up to `limit` rows of `kind` past `cutoff`. */
function statement(kind: PurgeKind, cutoff: number, limit: number, postgres: boolean): RawBuilder<unknown> {
  const byId = (table: string, condition: RawBuilder<unknown>) =>
    sql`DELETE FROM ${sql.table(table)} WHERE id IN (SELECT id FROM ${sql.table(table)} WHERE ${condition} LIMIT ${limit})`;
  switch (kind) {
    case 'authorization_codes':
    case 'interactions':
    case 'pending_sign_ins':
    case 'directory_transactions':
    case 'revocations':
    case 'passkey_challenges':
    case 'pushed_requests':
    case 'dpop_proofs':
      return byId(kind, sql`expires_at < ${cutoff}`);
    case 'refresh_tokens':
      // Not by rotated_at: a rotated token that comes back before it expires is reuse, which
      // revokes the grant (RFC 9700 §4.14.2). After expiry it is refused before that check anyway.
      return byId(kind, sql`expires_at < ${cutoff} OR revoked_at < ${cutoff}`);
    case 'sessions':
      return byId(kind, sql`expires_at < ${cutoff} OR ended_at < ${cutoff}`);
    case 'grant_actions':
      return byId(kind, sql`at < ${cutoff}`);
    case 'known_browsers':
      return sql`DELETE FROM known_browsers WHERE (user_id, browser_digest) IN (SELECT user_id, browser_digest FROM known_browsers WHERE last_seen_at < ${cutoff} LIMIT ${limit})`;
    case 'grant_narrowings':
      return sql`DELETE FROM grant_narrowings WHERE grant_id IN (SELECT grant_id FROM grant_narrowings WHERE expires_at < ${cutoff} LIMIT ${limit})`;
    case 'grant_activity':
      return sql`DELETE FROM grant_activity WHERE (grant_id, day) IN (SELECT grant_id, day FROM grant_activity WHERE day < ${utcDay(cutoff)} LIMIT ${limit})`;
    case 'grant_call_kinds':
      return sql`DELETE FROM grant_call_kinds WHERE (grant_id, day, method, route, org) IN (SELECT grant_id, day, method, route, org FROM grant_call_kinds WHERE day < ${utcDay(cutoff)} LIMIT ${limit})`;
    case 'app_error_counts':
      return sql`DELETE FROM app_error_counts WHERE (app_id, day, code) IN (SELECT app_id, day, code FROM app_error_counts WHERE day < ${utcDay(cutoff)} LIMIT ${limit})`;
    case 'mail_sent':
      return byId('mail_outbox', sql`status = 'sent' AND sent_at < ${cutoff}`);
    case 'mail_failed':
      // A failed message's next_attempt_at is when its last attempt was due; `tessera mail retry`
      // sets it to now, so retried mail that fails again is kept its full time again.
      return byId('mail_outbox', sql`status = 'failed' AND next_attempt_at < ${cutoff}`);
    case 'account_links':
      return byId(kind, sql`expires_at < ${cutoff} OR used_at < ${cutoff}`);
    case 'outbound_delivered':
      return byId('outbound_deliveries', sql`status = 'delivered' AND sent_at < ${cutoff}`);
    case 'outbound_failed':
      return byId('outbound_deliveries', sql`status = 'failed' AND next_attempt_at < ${cutoff}`);
    case 'session_apps':
      // Its logout tokens were written when the session ended; a lapsed session is never ended.
      return sql`DELETE FROM session_apps WHERE (session_id, app_id) IN (SELECT session_id, app_id FROM session_apps WHERE created_at < ${cutoff} AND session_id NOT IN (SELECT id FROM sessions WHERE ended_at IS NULL AND expires_at >= ${cutoff}) LIMIT ${limit})`;
    case 'org_invitations':
      // A pending invitation is dead once expired; an answered one keeps its decided_at.
      return byId(kind, sql`expires_at < ${cutoff} OR decided_at < ${cutoff}`);
    case 'device_authorizations':
      return byId(kind, sql`expires_at < ${cutoff} AND (grant_id IS NULL OR grant_id NOT IN (SELECT id FROM grants WHERE revoked_at IS NULL))`);
    case 'audit_events':
      // Also past the trigger's floor by the database's clock: one row it refuses would abort the
      // whole batch, every run, if this node's clock were ahead of the database's.
      return byId(kind, sql`at < ${cutoff} AND at < ${databaseNow(postgres)} - ${AUDIT_FLOOR_DAYS * 86400}`);
  }
}

export class SqlPurgeStore implements PurgeStore {
  private readonly postgres: boolean;

  constructor(private readonly db: Db) {
    this.postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  }

  async purge(kind: PurgeKind, cutoff: number, limit: number): Promise<number> {
    const result = await statement(kind, cutoff, limit, this.postgres).execute(this.db);
    return Number(result.numAffectedRows ?? 0);
  }
}
