/**
 * Keeps tables bounded (issue 7, "Keeping data bounded"): rows past every use — expired codes,
 * refresh tokens, sessions, pending requests, denylist entries, old activity, audit events past
 * their retention, old mail, dead account links and answered invitations (issue 15), expired passkey
 * challenges (issue 16) — are deleted
 * in small batches, by a background timer in every server and by `tessera janitor`.
 *
 * Deletes are idempotent, so several nodes may run at once; the timer is jittered so they rarely
 * do. Each batch is one short statement (persistence/stores/purge.ts) and a run stops after
 * `maxBatches` per kind, so a backlog is worked off over several runs without long locks.
 *
 * Audit events stay append-only in the database (issue 8): its trigger refuses every UPDATE, and
 * any DELETE of an event younger than AUDIT_FLOOR_DAYS (migrations 202611291500 and 202611291700,
 * docs/operators.md "Audit log"). So their retention is at least that, or `forever`.
 * @module
 */
import type { Logger } from 'pino';
import { PURGE_KINDS, type PurgeKind, type PurgeStore } from '../domain/purge.ts';
import { KNOWN_BROWSER_DAYS } from '../domain/known_browsers.ts';

const HOUR = 3600;
const DAY = 86400;

/**
 * Codes and refresh tokens are kept 15 days past their end: the developer portal's 14-day usage
 * panel counts token responses from these rows (stores/apps.ts `usage`).
 */
export const TOKEN_ROWS_KEPT = 15 * DAY;
/** Sessions, pending requests and sign-ins: a day past their end, for support questions and clock skew. */
export const SHORT_ROWS_KEPT = DAY;
/** Denylist entries and narrowings: no token they could match is valid past `expires_at`; an hour of skew. */
export const DENYLIST_KEPT = HOUR;
/** Sent mail: a month of history for "did my mail go out?" (`tessera mail list`); nothing in it is needed after. */
export const SENT_MAIL_KEPT = 30 * DAY;
/** Failed mail stays three times as long: it is what an operator investigates or retries. */
export const FAILED_MAIL_KEPT = 90 * DAY;
/** Answered and expired invitations: kept a while so an owner can see what became of one, and for support. */
export const INVITATIONS_KEPT = 90 * DAY;
/** Accepted DPoP proofs past their window: a replay is refused by its `iat` after it; minutes of skew between nodes. */
export const DPOP_PROOFS_KEPT = 300;

export interface JanitorOptions {
  /** Rows per delete statement. @default 500 */
  batchSize?: number;
  /** Batches per kind in one run; the next run goes on. @default 20 (background) */
  maxBatches?: number;
  /** Days of per-grant API activity and per-app error counts kept. @default 90 */
  activityRetentionDays?: number;
  /** Days of audit events kept (at least AUDIT_FLOOR_DAYS), or `forever`: never purged. @default 365 */
  auditRetentionDays?: number | 'forever';
}

export interface JanitorReport {
  /** Rows deleted per kind. */
  deleted: Record<PurgeKind, number>;
  /** False when some kind still had rows past its cutoff when the run stopped at `maxBatches`. */
  complete: boolean;
}

/** The cutoff of each kind at `now`: rows past it go; `null`: the kind is kept forever. */
export function cutoffs(now: number, activityRetentionDays: number, auditRetentionDays: number | 'forever'): Record<PurgeKind, number | null> {
  const activity = now - activityRetentionDays * DAY;
  return {
    authorization_codes: now - TOKEN_ROWS_KEPT,
    refresh_tokens: now - TOKEN_ROWS_KEPT,
    sessions: now - SHORT_ROWS_KEPT,
    // As long as the browser's cookie lives: past it, the browser no longer carries the id anyway.
    known_browsers: now - KNOWN_BROWSER_DAYS * DAY,
    interactions: now - SHORT_ROWS_KEPT,
    pending_sign_ins: now - SHORT_ROWS_KEPT,
    directory_transactions: now - SHORT_ROWS_KEPT,
    revocations: now - DENYLIST_KEPT,
    grant_narrowings: now - DENYLIST_KEPT,
    grant_activity: activity,
    grant_call_kinds: activity,
    grant_actions: activity,
    app_error_counts: activity,
    audit_events: auditRetentionDays === 'forever' ? null : now - auditRetentionDays * DAY,
    mail_sent: now - SENT_MAIL_KEPT,
    mail_failed: now - FAILED_MAIL_KEPT,
    // A link is dead once used or expired (at most 24 h after it was made); a day of skew, like sessions.
    account_links: now - SHORT_ROWS_KEPT,
    org_invitations: now - INVITATIONS_KEPT,
    // A challenge lives minutes and is good for nothing after (a new ceremony makes a new one); a day of skew.
    passkey_challenges: now - SHORT_ROWS_KEPT,
    // Minutes of life (at most 10); a day of skew, like the others.
    device_authorizations: now - SHORT_ROWS_KEPT,
    // 60 s of life; a day of skew, like the others.
    pushed_requests: now - SHORT_ROWS_KEPT,
    // One row per DPoP proof accepted (the API writes one per bound call): gone soon, with five minutes for clocks that disagree.
    dpop_proofs: now - DPOP_PROOFS_KEPT,
    // Like mail: delivered logout tokens as history for a while, failed ones longer (issue 19).
    outbound_delivered: now - SENT_MAIL_KEPT,
    outbound_failed: now - FAILED_MAIL_KEPT,
    // Needed only while the session can still be ended; a day of skew, like the others.
    session_apps: now - SHORT_ROWS_KEPT,
  };
}

/** One pass over every kind, batch after batch, until a batch comes back short or `maxBatches` is reached. */
export async function runJanitor(store: PurgeStore, now: number, options: JanitorOptions = {}): Promise<JanitorReport> {
  const batchSize = options.batchSize ?? 500;
  const maxBatches = options.maxBatches ?? 20;
  const cutoff = cutoffs(now, options.activityRetentionDays ?? 90, options.auditRetentionDays ?? 365);
  const deleted = Object.fromEntries(PURGE_KINDS.map((kind) => [kind, 0])) as Record<PurgeKind, number>;
  let complete = true;
  for (const kind of PURGE_KINDS) {
    const before = cutoff[kind];
    if (before === null) continue;
    for (let batch = 0; ; batch++) {
      if (batch >= maxBatches) {
        complete = false;
        break;
      }
      const n = await store.purge(kind, before, batchSize);
      deleted[kind] += n;
      if (n < batchSize) break;
      // Let requests in between batches (better-sqlite3 runs each statement on the event loop).
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  return { deleted, complete };
}

export interface BackgroundJanitor {
  stop(): Promise<void>;
}

/**
 * Runs the janitor every `intervalMs` ± 50% (jitter spreads the nodes apart), first one interval
 * after start. A run never overlaps the previous one; `stop` waits for a run in progress, so the
 * database is not closed under it.
 */
export function startJanitor(
  store: PurgeStore,
  now: () => number,
  log: Logger,
  intervalMs: number,
  options: JanitorOptions = {},
): BackgroundJanitor {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = runJanitor(store, now(), options)
        .then((report) => {
          const total = Object.values(report.deleted).reduce((a, b) => a + b, 0);
          if (total > 0) log.info({ deleted: report.deleted, complete: report.complete }, 'janitor purged expired rows');
        })
        .catch((err: unknown) => log.warn({ err }, 'janitor run failed; will retry'))
        .finally(() => {
          running = undefined;
          schedule();
        });
    }, intervalMs * (0.5 + Math.random()));
    timer.unref();
  };
  if (intervalMs > 0) schedule();
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
