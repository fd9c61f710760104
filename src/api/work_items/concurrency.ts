/**
 * Optimistic concurrency for work items (RFC 9110 §8.8.3, §13.1.1; RFC 6585 §3): the ETag is the
 * revision; a change must name the revision it was based on in If-Match, or it is refused with 428.
 * @module
 */
import { ApiError } from '../problem.ts';

export function etagOf(revision: number): string {
  return `"${revision}"`;
}

/**
 * The revision a change is conditional on, `undefined` for `If-Match: *` (any current
 * revision). Missing → 428; a list with no strong tag of ours → 412 (nothing can match).
 */
export function requiredRevision(header: string | string[] | undefined): number | undefined {
  if (header === undefined || header === '') {
    throw new ApiError(428, 'precondition_required', 'no If-Match', {}, 'send If-Match with the ETag of the revision you read');
  }
  const value = Array.isArray(header) ? header.join(',') : header;
  if (value.trim() === '*') return undefined;
  // RFC 9110 §13.1.1 uses the strong comparison: weak tags (W/"…") never match.
  for (const tag of value.split(',').map((t) => t.trim())) {
    const m = /^"(\d{1,15})"$/.exec(tag);
    if (m) return Number(m[1]);
  }
  throw new ApiError(412, 'precondition_failed', `If-Match ${value}`);
}
