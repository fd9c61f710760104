/**
 * The console's Audit log (issue 21): the form's filters checked and resolved (a person or an
 * operator by email, a service by client id), one page of events with the next page's cursor, and
 * the export, which walks the same filters page by page so a long log never sits in memory.
 * The rules of a type and a date are the CLI's (domain/audit_filters.ts).
 * @module
 */
import type { Stores } from '../domain/stores.ts';
import type { AuditLogEntry, AuditQuery } from '../domain/audit_log.ts';
import { actorDetail } from '../domain/audit.ts';
import { isPlausibleEmail, normalizeEmail } from '../domain/users.ts';
import { InvalidAuditFilter, auditTime, auditType, refusedAs } from '../domain/audit_filters.ts';
import { decodeCursor, encodeCursor } from '../domain/operator_reads.ts';
import { BadCursor } from './operator_reads.ts';

export { InvalidAuditFilter } from '../domain/audit_filters.ts';

export interface AuditSearchDeps {
  stores: Pick<Stores, 'auditLog' | 'users'>;
}

export interface ExportDeps {
  stores: Pick<Stores, 'auditLog' | 'users' | 'audit'>;
  clock: { now(): number };
}

/** The form's fields, as typed (absent when empty). */
export interface AuditFilterInput {
  /** The person the event is about: an email address, or an account id (a person since deleted). */
  person?: string;
  /** The service the event is about: its client id. */
  service?: string;
  type?: string;
  from?: string;
  to?: string;
  /** The operator who acted: an email address, or `cli`. */
  actor?: string;
}

/** The filters as the store takes them, or why nothing can match (a person no one is). */
type FilterQuery = Omit<AuditQuery, 'limit' | 'after'>;

export type AuditFilters = { query: FilterQuery; nothing?: undefined } | { nothing: string };

/** Rows read per query of an export. */
const EXPORT_BATCH = 500;
/** Longest client id or account id taken. */
const MAX_ID = 200;
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** The shared rules (domain/audit_filters.ts), refused with the field's name in front. */
function checked<T>(field: string, read: () => T): T {
  return refusedAs(read, (message) => new InvalidAuditFilter(`${field}: ${message}.`));
}

function plainId(field: string, value: string): string {
  const id = value.trim();
  if ([...id].length > MAX_ID || CONTROL.test(id)) throw new InvalidAuditFilter(`${field}: this is not an id.`);
  return id;
}

/** An email address, or undefined when there is none (the person is named by id). */
function emailOf(field: string, value: string): string | undefined {
  if (!value.includes('@')) return undefined;
  const email = normalizeEmail(value);
  if (!isPlausibleEmail(email)) throw new InvalidAuditFilter(`${field}: "${value.trim().slice(0, 254)}" is not an email address.`);
  return email;
}

/** The id of the account with this email, or the page's sentence that no one has it. */
async function accountOf(deps: AuditSearchDeps, email: string): Promise<string | { nothing: string }> {
  const user = await deps.stores.users.findByEmail(email);
  return user ? user.id : { nothing: `No person has the email ${email}.` };
}

/** The form's filters, checked; throws InvalidAuditFilter with a sentence naming the field. */
export async function resolveAuditFilters(deps: AuditSearchDeps, input: AuditFilterInput): Promise<AuditFilters> {
  const { type, from, to } = input;
  const query: FilterQuery = {};
  if (type !== undefined) query.type = checked('Event type', () => auditType(type));
  if (from !== undefined) query.since = checked('From', () => auditTime(from, 'start'));
  if (to !== undefined) query.until = checked('To', () => auditTime(to, 'end'));
  if (input.service !== undefined) query.appId = plainId('Service', input.service);
  if (input.person !== undefined) {
    const email = emailOf('Person', input.person);
    const id = email === undefined ? plainId('Person', input.person) : await accountOf(deps, email);
    if (typeof id !== 'string') return id;
    query.userId = id;
  }
  if (input.actor !== undefined) {
    if (input.actor.trim().toLowerCase() === 'cli') query.actor = { via: 'cli' };
    else {
      const email = emailOf('Actor', input.actor);
      if (email === undefined) throw new InvalidAuditFilter('Actor: give an operator’s email address, or cli.');
      const id = await accountOf(deps, email);
      if (typeof id !== 'string') return id;
      query.actor = { operatorId: id };
    }
  }
  return { query };
}

function cursorOf(e: AuditLogEntry): string {
  return encodeCursor({ createdAt: e.at, id: String(e.id) });
}

function keyOf(cursor: string): { at: number; id: number } {
  const key = decodeCursor(cursor);
  if (!key || !/^[1-9]\d{0,14}$/.test(key.id)) throw new BadCursor();
  return { at: key.createdAt, id: Number(key.id) };
}

export interface AuditPage {
  events: AuditLogEntry[];
  /** The emails of the operators named as actors on this page, by account id (a deleted one is absent). */
  actors: Map<string, string>;
  next?: string;
}

/** One page, newest first, after `after` (a cursor handed out with the previous page). Throws BadCursor. */
export async function auditPage(deps: AuditSearchDeps, filters: AuditFilters, limit: number, after?: string): Promise<AuditPage> {
  const key = after === undefined ? undefined : keyOf(after);
  if (filters.nothing !== undefined) return { events: [], actors: new Map() };
  const rows = await deps.stores.auditLog.list({ ...filters.query, ...(key ? { after: key } : {}), limit: limit + 1 });
  const events = rows.slice(0, limit);
  const actors = new Map<string, string>();
  for (const id of new Set(events.map((e) => e.detail.actor).filter((a): a is string => typeof a === 'string'))) {
    const user = await deps.stores.users.findById(id);
    if (user) actors.set(id, user.email);
  }
  return rows.length > limit ? { events, actors, next: cursorOf(events[events.length - 1]!) } : { events, actors };
}

/** The rows EXPORT_BATCH at a time, each batch after the last row of the one before, starting with `rows` (already read). */
async function* continueFrom(deps: AuditSearchDeps, query: FilterQuery, rows: AuditLogEntry[]): AsyncGenerator<AuditLogEntry[]> {
  for (;;) {
    if (rows.length > 0) yield rows;
    if (rows.length < EXPORT_BATCH) return;
    const last = rows[rows.length - 1]!;
    rows = await deps.stores.auditLog.list({ ...query, after: { at: last.at, id: last.id }, limit: EXPORT_BATCH });
  }
}

/**
 * Starts an export of every matching event, newest first: reads the first rows, then records
 * `audit.exported` with the operator and the filters as typed (an export is a read of the whole
 * log that someone should be able to see later), then hands back the batches as they are read.
 * Recorded after the first read and before any later one (each strictly older than the row
 * before), so the export never lists itself.
 */
export async function startExport(deps: ExportDeps, filters: AuditFilters, input: AuditFilterInput, operatorId: string): Promise<AsyncGenerator<AuditLogEntry[]>> {
  const query = filters.nothing === undefined ? filters.query : undefined;
  const first = query ? await deps.stores.auditLog.list({ ...query, limit: EXPORT_BATCH }) : [];
  await deps.stores.audit.record({ type: 'audit.exported', userId: null, detail: { ...actorDetail({ via: 'admin', userId: operatorId }), filters: { ...input } } }, deps.clock.now());
  return continueFrom(deps, query ?? {}, first);
}
