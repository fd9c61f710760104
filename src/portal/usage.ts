/**
 * An app's usage panel (issue 5, "Running the app"): people with an active grant, token responses
 * per day, and errors answered to it per day and code, over the same window, for pages and API.
 * @module
 */
import type { Deps } from '../deps.ts';
import type { AppUsage } from '../domain/apps.ts';
import { isoDay, totalsByCode, type AppErrorCount } from '../domain/app_errors.ts';
import { ACTIVITY_PERIOD_DAYS } from '../domain/dates.ts';

export const USAGE_DAYS = ACTIVITY_PERIOD_DAYS;

export interface PortalUsage extends AppUsage {
  /** Newest day first, codes alphabetically; days without errors left out. */
  errorsPerDay: Omit<AppErrorCount, 'appId'>[];
  /** Totals over the window, most frequent first. */
  errorsByCode: { code: string; count: number }[];
}

export async function readUsage(deps: Pick<Deps, 'stores' | 'clock'>, appId: string): Promise<PortalUsage> {
  const now = deps.clock.now();
  const [usage, errors] = await Promise.all([
    deps.stores.apps.usage(appId, now, USAGE_DAYS),
    deps.stores.appErrors.list(appId, isoDay(now - (USAGE_DAYS - 1) * 86400)),
  ]);
  return {
    ...usage,
    errorsPerDay: errors.map(({ day, code, count }) => ({ day, code, count })),
    errorsByCode: totalsByCode(errors),
  };
}
