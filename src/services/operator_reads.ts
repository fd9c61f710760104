/**
 * What platform operators read (issue 21): people and services, searched and opened. The one
 * place both the CLI (`tessera user|app list|show`) and the /admin console read them, so the two
 * cannot disagree. Inputs are bounded here (limit, query length, cursor), whatever the caller
 * checked before; a cursor this server did not hand out is refused, not guessed at.
 * @module
 */
import type { Stores } from '../domain/stores.ts';
import type { App, AppSecretInfo } from '../domain/apps.ts';
import type { AppSuspension } from '../domain/app_suspensions.ts';
import { isoDay, totalsByCode } from '../domain/app_errors.ts';
import {
  MAX_PAGE,
  MAX_QUERY,
  decodeCursor,
  encodeCursor,
  type OrgRow,
  type PageKey,
  type PersonDetails,
  type PersonRow,
  type ServiceRow,
} from '../domain/operator_reads.ts';
import { ACTIVITY_PERIOD_DAYS } from '../domain/dates.ts';

export type { OrgRow, PersonRow, ServiceRow, PersonDetails } from '../domain/operator_reads.ts';
export { MAX_PAGE, MAX_QUERY } from '../domain/operator_reads.ts';

export interface OperatorReadDeps {
  stores: Pick<Stores, 'operatorReads' | 'apps' | 'appSuspensions' | 'appErrors'>;
  clock: { now(): number };
}

/** The cursor was not one this server handed out (or the list changed shape): the caller starts over. */
export class BadCursor extends Error {
  override name = 'BadCursor';
  constructor() {
    super('the cursor is not one this server handed out; start again without it');
  }
}

/** How many audit events a person's page shows. */
export const PERSON_EVENTS = 20;
/** The window of a service's usage and error codes. */
export const SERVICE_USAGE_DAYS = ACTIVITY_PERIOD_DAYS;

export interface PeopleSearch {
  query?: string;
  disabled?: boolean;
  /** Platform operators only (true), or everyone else (false). */
  operators?: boolean;
  limit: number;
  after?: string;
}

export interface ServicesSearch {
  query?: string;
  suspended?: boolean;
  verified?: boolean;
  limit: number;
  after?: string;
}

function boundedLimit(limit: number): number {
  return Number.isSafeInteger(limit) ? Math.min(Math.max(limit, 1), MAX_PAGE) : MAX_PAGE;
}

/** Trimmed and cut to MAX_QUERY characters; an empty text searches nothing (lists everything). */
function boundedQuery(query: string | undefined): { query?: string } {
  const trimmed = query?.trim() ?? '';
  return trimmed === '' ? {} : { query: [...trimmed].slice(0, MAX_QUERY).join('') };
}

function pageKey(after: string | undefined): { after?: PageKey } {
  if (after === undefined) return {};
  const key = decodeCursor(after);
  if (!key) throw new BadCursor();
  return { after: key };
}

/** The page, and the cursor of the next one when the store found one row more than asked. */
function page<Row>(rows: Row[], limit: number, keyOf: (row: Row) => PageKey): { rows: Row[]; next?: string } {
  if (rows.length <= limit) return { rows };
  const shown = rows.slice(0, limit);
  return { rows: shown, next: encodeCursor(keyOf(shown[shown.length - 1]!)) };
}

/** People by email or name (any case, matched literally), newest account first. Throws BadCursor. */
export async function searchPeople(deps: OperatorReadDeps, input: PeopleSearch): Promise<{ people: PersonRow[]; next?: string }> {
  const limit = boundedLimit(input.limit);
  const rows = await deps.stores.operatorReads.searchPeople({
    ...boundedQuery(input.query),
    ...(input.disabled === undefined ? {} : { disabled: input.disabled }),
    ...(input.operators === undefined ? {} : { operators: input.operators }),
    ...pageKey(input.after),
    limit,
  });
  const { rows: people, next } = page(rows, limit, (p) => ({ createdAt: p.createdAt, id: p.id }));
  return next === undefined ? { people } : { people, next };
}

/** One person, with sessions, grants, factors, organizations and their last PERSON_EVENTS audit events; undefined when unknown. */
export async function personOverview(deps: OperatorReadDeps, userId: string): Promise<PersonDetails | undefined> {
  if (userId.length === 0 || userId.length > 200) return undefined;
  return deps.stores.operatorReads.personDetails(userId, deps.clock.now(), PERSON_EVENTS);
}

/** Services by name, publisher or client id (any case, matched literally), newest first. Throws BadCursor. */
export async function searchServices(deps: OperatorReadDeps, input: ServicesSearch): Promise<{ services: ServiceRow[]; next?: string }> {
  const limit = boundedLimit(input.limit);
  const rows = await deps.stores.operatorReads.searchServices(
    {
      ...boundedQuery(input.query),
      ...(input.suspended === undefined ? {} : { suspended: input.suspended }),
      ...(input.verified === undefined ? {} : { verified: input.verified }),
      ...pageKey(input.after),
      limit,
    },
    deps.clock.now(),
  );
  const { rows: services, next } = page(rows, limit, (s) => ({ createdAt: s.createdAt, id: s.clientId }));
  return next === undefined ? { services } : { services, next };
}

export interface OrgsSearch {
  query?: string;
  limit: number;
  after?: string;
}

/** Organizations by name or slug (any case, matched literally), newest first. Throws BadCursor. */
export async function searchOrgs(deps: OperatorReadDeps, input: OrgsSearch): Promise<{ orgs: OrgRow[]; next?: string }> {
  const limit = boundedLimit(input.limit);
  const rows = await deps.stores.operatorReads.searchOrgs({ ...boundedQuery(input.query), ...pageKey(input.after), limit });
  const { rows: orgs, next } = page(rows, limit, (o) => ({ createdAt: o.createdAt, id: o.id }));
  return next === undefined ? { orgs } : { orgs, next };
}

export interface ServiceOverview {
  app: App;
  owners: string[];
  /** Secrets not revoked, oldest first, with when each was last used (never a digest): after a leak, which one to revoke. */
  secrets: AppSecretInfo[];
  /** Null while the platform does not suspend it; a lifted suspension shows as `lastLifted`. */
  suspension: { reason: string; since: number } | null;
  /** The last suspension that was lifted, if any and none holds now. */
  lastLifted: { reason: string; suspendedAt: number; liftedAt: number } | null;
  /** People with a live grant. */
  people: number;
  usage: {
    days: number;
    /** Token responses per UTC day, newest first (redeemed codes and refreshes still stored). */
    tokensPerDay: { day: string; count: number }[];
    /** Errors answered to it over the window, most frequent first. */
    errorsByCode: { code: string; count: number }[];
  };
}

function suspensionOf(s: AppSuspension | undefined): Pick<ServiceOverview, 'suspension' | 'lastLifted'> {
  if (!s) return { suspension: null, lastLifted: null };
  if (s.liftedAt === null) return { suspension: { reason: s.reason, since: s.suspendedAt }, lastLifted: null };
  return { suspension: null, lastLifted: { reason: s.reason, suspendedAt: s.suspendedAt, liftedAt: s.liftedAt } };
}

/** One service: owners, secrets, verification, scopes, URIs, suspension, people, usage and error codes over SERVICE_USAGE_DAYS; undefined when unknown. */
export async function serviceOverview(deps: OperatorReadDeps, appId: string): Promise<ServiceOverview | undefined> {
  if (appId.length === 0 || appId.length > 200) return undefined;
  const app = await deps.stores.apps.find(appId);
  if (!app) return undefined;
  const now = deps.clock.now();
  const [owners, secrets, suspension, usage, errors] = await Promise.all([
    deps.stores.operatorReads.ownerEmails(app.id),
    deps.stores.apps.listSecrets(app.id),
    deps.stores.appSuspensions.find(app.id),
    deps.stores.apps.usage(app.id, now, SERVICE_USAGE_DAYS),
    deps.stores.appErrors.list(app.id, isoDay(now - (SERVICE_USAGE_DAYS - 1) * 86_400)),
  ]);
  return {
    app,
    owners,
    secrets,
    ...suspensionOf(suspension),
    people: usage.activeGrants,
    usage: {
      days: SERVICE_USAGE_DAYS,
      tokensPerDay: usage.tokensPerDay,
      errorsByCode: totalsByCode(errors),
    },
  };
}
