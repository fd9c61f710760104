/**
 * Flags and output shared by the operator's lists (`tessera user list`, `tessera app list`):
 * --query, --limit, --after, and how a page and its cursor are printed. With --json a list is
 * JSON lines, one object per row, then `{"next":"CURSOR"}` as the last line when another page
 * follows (no such line on the last page), so a script streams rows and finds the cursor in one place.
 * @module
 */
import type { FlagSpecs, ParsedFlags } from './args.ts';
import { UsageError } from './errors.ts';
import { text } from './values.ts';
import { MAX_PAGE, MAX_QUERY, decodeCursor } from '../domain/operator_reads.ts';

export const DEFAULT_LIMIT = 50;

export const PAGE_FLAGS: FlagSpecs = {
  limit: { type: 'string', value: 'N', description: `at most N rows (default ${DEFAULT_LIMIT}, at most ${MAX_PAGE})` },
  after: { type: 'string', value: 'CURSOR', description: 'the next page: the cursor the previous page printed last' },
};

export interface PageInput {
  query?: string;
  limit: number;
  after?: string;
}

/** --query, --limit and --after checked before the database is opened. */
export function pageInput(flags: ParsedFlags): PageInput {
  const query = flags.string('query');
  const limit = flags.string('limit');
  const after = flags.string('after')?.trim();
  if (limit !== undefined && (!/^\d{1,6}$/.test(limit) || Number(limit) < 1 || Number(limit) > MAX_PAGE)) {
    throw new UsageError(`--limit must be a whole number from 1 to ${MAX_PAGE}`);
  }
  if (after !== undefined && !decodeCursor(after)) throw new UsageError('--after is not a cursor this command printed; run the list again without it');
  return {
    ...(query === undefined ? {} : { query: text('query', query, MAX_QUERY) }),
    limit: limit === undefined ? DEFAULT_LIMIT : Number(limit),
    ...(after === undefined ? {} : { after }),
  };
}

/** Epoch seconds as an ISO date-time to the second, or "-". */
export function when(seconds: number | null): string {
  return seconds === null ? '-' : new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
}

/** Left-aligned columns under a header, two spaces apart. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  return [line(header), ...rows.map(line)].join('\n');
}

/** The JSON lines of a page: its rows, then the cursor when another page follows. */
export function pageLines(rows: readonly unknown[], next: string | undefined): unknown[] {
  return next === undefined ? [...rows] : [...rows, { next }];
}

/** The human page: the table, or `empty` when there are no rows, and how to get the next page. */
export function pageText(body: string, count: number, empty: string, next: string | undefined, again: string): string {
  if (count === 0) return empty;
  return next === undefined ? body : `${body}\n\nMore: ${again} --after ${next}`;
}

/** A value as a POSIX shell word, for the "More:" line a person copies. */
export function shellWord(value: string): string {
  return /^[A-Za-z0-9@%_+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
