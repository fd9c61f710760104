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

/** Calls of one kind on one UTC day: the same method, route and organization. */
export interface CallKindCount {
  day: string;
  method: string;
  /** The route's pattern (`/api/v1/orgs/:org/projects`), or '' for a path no route matched. */
  route: string;
  /** The organization's slug as called; '' for none, and for every refused call. */
  org: string;
  calls: number;
  /** Of `calls`, how many were refused (status 400 or above). */
  refused: number;
  /** When the latest of them was made. */
  lastAt: number;
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
  /** grant id → its calls by day and kind since the last flush (keyed by callKindKey). */
  kinds: Map<string, Map<string, CallKindCount>>;
}

/** The key of a kind of call on a day, within one grant's batch. */
export function callKindKey(day: string, method: string, route: string, org: string): string {
  return `${day}\n${method}\n${route}\n${org}`;
}

export interface GrantActivityStore {
  /** Adds the counts and actions; keeps only the newest `keepActions` actions of each grant. */
  record(batch: GrantActivityBatch, keepActions: number): Promise<void>;
  /** Calls per day from `sinceDay` on, oldest first; days without calls are absent. */
  dailyCalls(grantId: string, sinceDay: string): Promise<DailyCalls[]>;
  /** Calls by day and kind from `sinceDay` on. */
  callKinds(grantId: string, sinceDay: string): Promise<CallKindCount[]>;
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
