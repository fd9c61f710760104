/**
 * Assembling protocol parameters from the query and the body (RFC 6749 §3.1, §3.2):
 * only the names an endpoint knows are kept (unknown ones are ignored), an empty value counts as
 * absent, and a known name sent twice (in one place or across query and body) is refused.
 * @module
 */
import type { RawParams } from './urlencoded.ts';
import { InvalidRequest } from '../oauth/errors.ts';

export type Params<K extends string> = Partial<Record<K, string>>;

/** Names that were sent more than once among `names`, across every source. */
export function duplicated<K extends string>(names: readonly K[], ...sources: (RawParams | undefined)[]): K[] {
  return names.filter((name) => {
    let count = 0;
    for (const source of sources) {
      const value = source?.[name];
      if (value === undefined) continue;
      count += Array.isArray(value) ? value.length : 1;
    }
    return count > 1;
  });
}

/**
 * The known parameters of a request, or InvalidRequest naming the first duplicate.
 * `sources` are merged in order; a name present in two sources is a duplicate.
 */
export function assembleParams<K extends string>(names: readonly K[], ...sources: (RawParams | undefined)[]): Params<K> {
  const dupes = duplicated(names, ...sources);
  if (dupes.length > 0) throw new InvalidRequest(`parameter repeated: ${dupes[0]}`);
  const out: Params<K> = Object.create(null) as Params<K>;
  for (const name of names) {
    for (const source of sources) {
      const value = source?.[name];
      // RFC 6749 §3.1: parameters sent without a value are treated as omitted.
      if (typeof value === 'string' && value !== '') out[name] = value;
    }
  }
  return out;
}

/** A null-prototype, string-only view of whatever body Fastify parsed (form or nothing). */
export function asRawParams(body: unknown): RawParams | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body !== 'object' || Array.isArray(body)) throw new InvalidRequest('body must be form-encoded');
  return body as RawParams;
}
