/**
 * Strict application/x-www-form-urlencoded parsing for query strings and form bodies.
 * Unlike qs-style parsers it never builds arrays or objects from `a[]=` or `a[b]=` (SECURITY 43):
 * a key is a plain string. A repeated key keeps every value, so the protocol layer can refuse
 * duplicates (RFC 6749 §3.1: "parameters MUST NOT be included more than once"). Bad percent-encoding,
 * invalid UTF-8 and NUL are refused.
 * @module
 */

/** Parsed parameters: a null-prototype map; a key sent more than once holds all its values. */
export type RawParams = Record<string, string | string[]>;

export class MalformedParams extends Error {
  override name = 'MalformedParams';
}

function decode(part: string): string {
  let text: string;
  try {
    text = decodeURIComponent(part.replace(/\+/g, ' '));
  } catch {
    throw new MalformedParams('bad percent-encoding or invalid UTF-8');
  }
  if (text.includes('\0')) throw new MalformedParams('NUL in a parameter');
  return text;
}

export function parseUrlEncoded(input: string): RawParams {
  const out: RawParams = Object.create(null) as RawParams;
  if (input === '') return out;
  for (const pair of input.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const key = decode(eq === -1 ? pair : pair.slice(0, eq));
    const value = eq === -1 ? '' : decode(pair.slice(eq + 1));
    const seen = out[key];
    if (seen === undefined) out[key] = value;
    else if (Array.isArray(seen)) seen.push(value);
    else out[key] = [seen, value];
  }
  return out;
}

const MALFORMED = Symbol('malformed query');

/**
 * The router's query-string parser. It must never throw: Fastify calls it while routing, outside
 * its error handling, so a throw there crashed the process on `?a=%E0%A4%A`. A malformed query
 * is parsed as empty and carries its error, which `malformedQueryError` raises from a hook.
 */
export function parseQueryString(query: string): RawParams {
  try {
    return parseUrlEncoded(query);
  } catch (err) {
    const out: RawParams = Object.create(null) as RawParams;
    Object.defineProperty(out, MALFORMED, { value: err, enumerable: false });
    return out;
  }
}

/** The parse error carried by a query from `parseQueryString`, if any. */
export function malformedQueryError(query: unknown): Error | undefined {
  if (typeof query !== 'object' || query === null) return undefined;
  const err = (query as { [MALFORMED]?: unknown })[MALFORMED];
  return err instanceof Error ? err : undefined;
}
