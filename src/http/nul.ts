/**
 * U+0000 in a request. No field of Tessera can hold it, and PostgreSQL refuses it in text, so a
 * NUL that reached a query was a 500 (SECURITY 44; found by the route-table sweep). The form and
 * query parsers refuse it as they decode (urlencoded.ts); parsed JSON bodies and path parameters
 * are checked here.
 * @module
 */

/**
 * Whether a parsed JSON body holds U+0000 in a string or a member name. Iterative: nesting
 * is unbounded.
 */
export function holdsNul(value: unknown): boolean {
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const v = pending.pop();
    if (typeof v === 'string') {
      if (v.includes('\0')) return true;
    } else if (v !== null && typeof v === 'object') {
      for (const [key, child] of Object.entries(v)) {
        if (key.includes('\0')) return true;
        pending.push(child);
      }
    }
  }
  return false;
}
