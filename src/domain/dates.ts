/**
 * Times and dates as pages, mail and the CLI show them, in one format across the product (issue
 * 20): UTC, since the pages run no script to localize them, year first so no reader takes the day
 * for the month, and the same day as the activity charts' labels.
 */

/** To the minute: "2026-11-29 14:05 UTC". */
export function formatTime(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
}

/** The day: "2026-11-29" (UTC). */
export function formatDate(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString().slice(0, 10);
}

/**
 * The period every activity view shows, in days ending today: a person's Manage applications, a
 * developer's app usage, an organization's services and the operator console (issue 20: "the same
 * period everywhere").
 */
export const ACTIVITY_PERIOD_DAYS = 30;
