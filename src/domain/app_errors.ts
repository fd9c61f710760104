/**
 * Errors Tessera answered to an app (token endpoint and platform API), counted per UTC day and
 * error code for the app's usage panel in the developer portal (issue 5).
 * @module
 */

export interface AppErrorCount {
  appId: string;
  /** UTC day, YYYY-MM-DD. */
  day: string;
  /** The protocol error (`invalid_grant`, `invalid_client`) or API problem code (`grant_revoked`). */
  code: string;
  count: number;
}

export interface AppErrorStore {
  /**
   * Adds the counts to the stored ones, in one transaction. Counts for an app that does not exist
   * (a client_id someone made up) are dropped, so made-up ids cannot fill the table.
   */
  add(counts: AppErrorCount[]): Promise<void>;
  /** Counts of one app from `sinceDay` on, newest day first, codes in alphabetical order. */
  list(appId: string, sinceDay: string): Promise<AppErrorCount[]>;
}

export function isoDay(seconds: number): string {
  return new Date(seconds * 1000).toISOString().slice(0, 10);
}

/** Totals per code over the counts given, most frequent first, then by code: the usage panels of the portal and the operator's reads. */
export function totalsByCode(counts: readonly Pick<AppErrorCount, 'code' | 'count'>[]): { code: string; count: number }[] {
  const totals = new Map<string, number>();
  for (const c of counts) totals.set(c.code, (totals.get(c.code) ?? 0) + c.count);
  return [...totals.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([code, count]) => ({ code, count }));
}
