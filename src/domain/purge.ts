/**
 * Rows that have outlived every use: what the janitor (jobs/janitor.ts) deletes, in small batches.
 * Each kind names one table and the rule its rows go by; the cutoff is chosen by the janitor.
 * @module
 */

export const PURGE_KINDS = [
  /** Authorization codes whose expiry is before the cutoff. */
  'authorization_codes',
  /** Refresh tokens expired, or revoked, before the cutoff. Rotated ones stay until they expire (reuse detection). */
  'refresh_tokens',
  /** Sessions expired or ended before the cutoff. */
  'sessions',
  /** Browsers that have not signed in to the account since the cutoff (device recognition, domain/known_browsers.ts). */
  'known_browsers',
  /** Pending authorization requests expired before the cutoff. */
  'interactions',
  /** Second-factor and company-directory sign-ins in flight, expired before the cutoff. */
  'pending_sign_ins',
  'directory_transactions',
  /** Denylist entries and grant narrowings whose last possibly affected token expired before the cutoff. */
  'revocations',
  'grant_narrowings',
  /** Per-grant API activity: daily counts (in all and by kind) of days before the cutoff, and recorded calls made before it. */
  'grant_activity',
  'grant_call_kinds',
  'grant_actions',
  /** Per-app daily error counts of days before the cutoff. */
  'app_error_counts',
  /** Audit events recorded before the cutoff, and never one younger than `AUDIT_FLOOR_DAYS`. */
  'audit_events',
  /** Mail delivered before the cutoff (issue 15: the outbox keeps sent mail as history for a while). */
  'mail_sent',
  /** Mail given up on (`failed`) whose last attempt was due before the cutoff; kept longer, for `tessera mail list`. */
  'mail_failed',
  /** Single-use account links that expired, or were used, before the cutoff. */
  'account_links',
  /** Organization invitations that expired, or were answered (accepted, declined, cancelled), before the cutoff. */
  'org_invitations',
  /** Passkey ceremony challenges (issue 16) that expired before the cutoff; a used one is deleted when it is taken. */
  'passkey_challenges',
  /**
   * Device flow requests (issue 17) expired before the cutoff, unless an approval bound them to a
   * live grant: those mark it "signed in on a device" until it is revoked.
   */
  'device_authorizations',
  /** Pushed authorization requests (RFC 9126, issue 18) expired before the cutoff; they live 60 s, used or not. */
  'pushed_requests',
  /** Accepted DPoP proofs (issue 18) whose replay window ended before the cutoff: their `iat` is refused anyway. */
  'dpop_proofs',
  /** Outbound deliveries (issue 19) delivered before the cutoff; kept a while as history. */
  'outbound_delivered',
  /** Outbound deliveries given up on (`failed`) whose last attempt was due before the cutoff; kept longer. */
  'outbound_failed',
  /** Apps signed in to during a session (issue 19) that is no longer live, recorded before the cutoff. */
  'session_apps',
] as const;

/**
 * The database refuses to delete an audit event younger than this many days, whatever the
 * application asks (migration 202611291700_relax_audit_deletes, issue 8's append-only log), so
 * `AUDIT_RETENTION_DAYS` is never below it.
 */
export const AUDIT_FLOOR_DAYS = 90;

export type PurgeKind = (typeof PURGE_KINDS)[number];

export interface PurgeStore {
  /**
   * Deletes at most `limit` rows of this kind that are past `cutoff` (epoch seconds; day-keyed
   * kinds compare the UTC day of the cutoff) and returns how many it deleted. One statement:
   * safe to run on several nodes at once, since deleting a deleted row does nothing.
   */
  purge(kind: PurgeKind, cutoff: number, limit: number): Promise<number>;
}
