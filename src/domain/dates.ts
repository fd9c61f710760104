/** Times and dates as pages and mail show them: UTC, since the pages run no script to localize them. */

/** To the minute: "2026-11-29 14:05 UTC". */
export function formatTime(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
}

/** The day: "29 Nov 2026". */
export function formatDate(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
}
