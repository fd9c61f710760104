/**
 * What a service did on a person's behalf, for "Manage applications": API calls per day and the
 * last few calls. Written in batches by jobs/usage_recorder.ts, never once per request.
 */
export interface GrantAction {
  at: number;
  method: string;
  /** The path called, without its query. */
  path: string;
  status: number;
  ip: string | null;
}

export interface DailyCalls {
  /** UTC day, "2026-11-29". */
  day: string;
  calls: number;
}

export interface GrantActivityBatch {
  /** grant id → UTC day → calls counted since the last flush. */
  calls: Map<string, Map<string, number>>;
  /** grant id → its newest calls since the last flush, oldest first. */
  actions: Map<string, GrantAction[]>;
}

export interface GrantActivityStore {
  /** Adds the counts and actions; keeps only the newest `keepActions` actions of each grant. */
  record(batch: GrantActivityBatch, keepActions: number): Promise<void>;
  /** Calls per day from `sinceDay` on, oldest first; days without calls are absent. */
  dailyCalls(grantId: string, sinceDay: string): Promise<DailyCalls[]>;
  /** The newest actions, newest first. */
  recentActions(grantId: string, limit: number): Promise<GrantAction[]>;
}

/** How many recent calls are kept per grant. */
export const KEPT_ACTIONS = 20;

let lastDay = { number: Number.NaN, text: '' };

/** The UTC day an instant falls on, as daily counts are keyed. */
export function utcDay(epochSeconds: number): string {
  // Called for every API call (UsageRecorder.recordCall); the day changes once a day, so the last
  // one is kept rather than formatting a Date each time (2% of the API read's CPU, bench/profile.ts).
  const day = Math.floor(epochSeconds / 86400);
  if (day !== lastDay.number) lastDay = { number: day, text: new Date(day * 86_400_000).toISOString().slice(0, 10) };
  return lastDay.text;
}
