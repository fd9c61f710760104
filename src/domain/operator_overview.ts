/**
 * What the console's Overview reads (issue 21): platform-wide counts per UTC day over a window,
 * and two short lists of services. Every read is an aggregate over a bounded window: per-day sums
 * of the counters Tessera already keeps (grant_activity, app_error_counts) and of the audit log's
 * sign-ins, never a row per event handed to the caller.
 * @module
 */

/** A count on one UTC day (YYYY-MM-DD). */
export interface DayCount {
  day: string;
  count: number;
}

/** A count of one error code on one UTC day. */
export interface DayCodeCount extends DayCount {
  code: string;
}

/** A service and a number: its people, or its refusals. */
export interface ServiceCount {
  clientId: string;
  name: string;
  count: number;
}

export interface OperatorOverviewStore {
  /** Sign-ins (audit `user.signed_in`) per UTC day from `since` (epoch seconds) on. */
  signInsPerDay(since: number): Promise<DayCount[]>;
  /** API calls per UTC day from `sinceDay` on (the usage recorder's daily counts). */
  callsPerDay(sinceDay: string): Promise<DayCount[]>;
  /** Refusals (errors answered to services) per UTC day and code from `sinceDay` on. */
  refusalsPerDay(sinceDay: string): Promise<DayCodeCount[]>;
  /** The services with the most people holding a live grant, most first, then by client id. */
  topByPeople(now: number, limit: number): Promise<ServiceCount[]>;
  /** The services with the most refusals on `day`, most first, then by client id. */
  topByRefusals(day: string, limit: number): Promise<ServiceCount[]>;
}
