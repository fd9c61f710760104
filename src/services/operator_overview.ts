/**
 * The console's Overview (issue 21): sign-ins, tokens issued, API calls and refusals per UTC day over the last
 * OVERVIEW_DAYS days, the same days in every series with a day without any shown as zero, and the
 * services with the most people and with the most refusals today. Reads only aggregates
 * (stores/operator_overview.ts).
 * @module
 */
import type { Stores } from '../domain/stores.ts';
import type { DayCount, ServiceCount } from '../domain/operator_overview.ts';
import { isoDay, totalsByCode } from '../domain/app_errors.ts';
import { ACTIVITY_PERIOD_DAYS } from '../domain/dates.ts';

export type { DayCount, ServiceCount } from '../domain/operator_overview.ts';

/** The window of every chart, in UTC days, today included. */
export const OVERVIEW_DAYS = ACTIVITY_PERIOD_DAYS;
/** How many services each top list shows. */
export const TOP_SERVICES = 5;

const DAY = 86_400;

export interface OverviewDeps {
  stores: Pick<Stores, 'operatorOverview' | 'tokenCounts'>;
  clock: { now(): number };
}

export interface Overview {
  /** The UTC days of every series, oldest first, today last. */
  days: string[];
  signIns: DayCount[];
  /** Access tokens issued (the usage recorder's daily counts, token_counts). */
  tokensIssued: DayCount[];
  apiCalls: DayCount[];
  refusals: DayCount[];
  /** Refusals over the window by code, most frequent first. */
  refusalsByCode: { code: string; count: number }[];
  topByPeople: ServiceCount[];
  topByRefusalsToday: ServiceCount[];
}

/** The window's days, oldest first: the same in every series. */
export function lastDays(now: number, days: number): string[] {
  const today = Math.floor(now / DAY);
  return Array.from({ length: days }, (_, i) => isoDay((today - (days - 1) + i) * DAY));
}

/** One count per day of `days`, summing what the store gave for it, zero where it gave nothing. */
function onDays(days: string[], counts: readonly DayCount[]): DayCount[] {
  const byDay = new Map<string, number>();
  for (const c of counts) byDay.set(c.day, (byDay.get(c.day) ?? 0) + c.count);
  return days.map((day) => ({ day, count: byDay.get(day) ?? 0 }));
}

export async function operatorOverview(deps: OverviewDeps): Promise<Overview> {
  const now = deps.clock.now();
  const days = lastDays(now, OVERVIEW_DAYS);
  const first = days[0]!;
  const today = days[days.length - 1]!;
  const store = deps.stores.operatorOverview;
  const [signIns, tokens, calls, refusals, topByPeople, topByRefusalsToday] = await Promise.all([
    store.signInsPerDay((Math.floor(now / DAY) - (OVERVIEW_DAYS - 1)) * DAY),
    deps.stores.tokenCounts.perDay(first),
    store.callsPerDay(first),
    store.refusalsPerDay(first),
    store.topByPeople(now, TOP_SERVICES),
    store.topByRefusals(today, TOP_SERVICES),
  ]);
  return {
    days,
    signIns: onDays(days, signIns),
    tokensIssued: onDays(days, tokens),
    apiCalls: onDays(days, calls),
    refusals: onDays(days, refusals),
    refusalsByCode: totalsByCode(refusals),
    topByPeople,
    topByRefusalsToday,
  };
}
