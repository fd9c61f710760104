/** Times and dates as pages and mail show them: UTC, since the pages run no script to localize them. */

/** To the minute: "2026-11-29 14:05 UTC". */
export function formatTime(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
}

/** The day: "29 Nov 2026". */
export function formatDate(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
}

/**
 * The period every activity view shows, in days ending today: a person's Manage applications, a
 * developer's app usage, an organization's services and the operator console (issue 20: "the same
 * period everywhere").
 */
export const ACTIVITY_PERIOD_DAYS = 30;
