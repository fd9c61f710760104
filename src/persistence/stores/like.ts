/**
 * Substring search with LIKE, the same on both dialects: the person's `%`, `_` and `\` are
 * escaped so they match themselves (a search for "100%" finds only names with "100%"), and both
 * sides are lowercased because PostgreSQL's LIKE is case-sensitive where SQLite's is not (SQLite's
 * lower() folds ASCII letters only).
 * @module
 */
import { sql, type RawBuilder } from 'kysely';

/** `%text%` with LIKE's wildcards and the escape character escaped by `\`. */
export function containsPattern(text: string): string {
  return `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** `lower(column) LIKE '%text%' ESCAPE '\'`; `column` is a fixed reference written by our code, never input. */
export function containsIgnoringCase(column: string, text: string): RawBuilder<boolean> {
  return sql<boolean>`lower(${sql.ref(column)}) like ${containsPattern(text)} escape '\\'`;
}
