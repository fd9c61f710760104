/**
 * The rules of an audit log filter, one place for both readers: `tessera audit list` (its flags)
 * and the console's Audit log page (its form and its export). Each refuses with a sentence that
 * names the value; the caller puts the flag or the field in front of it.
 * @module
 */

/** A filter value that breaks its rule; `message` starts with the value, quoted. */
export class InvalidAuditFilter extends Error {
  override name = 'InvalidAuditFilter';
}

/** Longest event type or prefix taken. */
export const MAX_TYPE = 100;

/** An exact type (`grant.revoked`) or, ending in `.`, every type of an entity (`grant.`). */
export function auditType(value: string): string {
  const type = value.trim();
  // `<entity>.<past_verb>` (STYLE 5.3), or `<entity>.` for every event of an entity.
  if (type.length > MAX_TYPE || !/^[a-z0-9_]+(\.[a-z0-9_]*)*$/.test(type)) {
    throw new InvalidAuditFilter(`"${type.slice(0, MAX_TYPE)}" is not an event type like grant.revoked (or a prefix like grant.)`);
  }
  return type;
}

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * Epoch seconds of an ISO 8601 date or date-time (2026-11-29, 2026-11-29T10:00:00Z), read in UTC
 * when it names no offset, as every page shows times in UTC (domain/dates.ts). A date alone
 * `'start'`s at its first second or, as an upper bound, `'end'`s at its last: "to 29 Nov" keeps
 * the whole 29th. Date.parse alone takes far too much (and rolls 31 Feb over into March).
 */
export function auditTime(value: string, bound: 'start' | 'end'): number {
  const text = value.trim();
  const m = DATE_TIME.exec(text);
  const invalid = () => new InvalidAuditFilter(`"${text.slice(0, 40)}" is not an ISO 8601 date or date-time (e.g. 2026-11-29 or 2026-11-29T10:00:00Z)`);
  if (!m) throw invalid();
  const [, year, month, day, hour, , , zone] = m;
  const ms = Date.parse(hour !== undefined && zone === undefined ? `${text.replace(' ', 'T')}Z` : text.replace(' ', 'T'));
  if (Number.isNaN(ms)) throw invalid();
  // The calendar day as written must exist: Date.UTC rolls 2026-02-31 over, so compare it back.
  const dayStart = Date.UTC(Number(year), Number(month) - 1, Number(day));
  if (new Date(dayStart).toISOString().slice(0, 10) !== `${year}-${month}-${day}`) throw invalid();
  const seconds = Math.floor(ms / 1000);
  return hour === undefined && bound === 'end' ? seconds + 86_399 : seconds;
}

/** `read()`, with its InvalidAuditFilter turned into the caller's error (`refusal`: the field or flag in front). */
export function refusedAs<T>(read: () => T, refusal: (message: string) => Error): T {
  try {
    return read();
  } catch (err) {
    throw err instanceof InvalidAuditFilter ? refusal(err.message) : err;
  }
}
