/**
 * The scope rules of domain/scopes.ts as PostgreSQL expressions, for the token statements that
 * check a grant's scopes in their WHERE (issue 14). The implications come from the catalogue
 * itself, written into the statement's text as constants, so SQL and JavaScript cannot disagree
 * about what `full_access` or a write scope includes.
 * @module
 */
import { sql, type RawBuilder } from 'kysely';
import { SCOPES } from '../domain/scopes.ts';

/** A space-separated scope column as a text[] without empty entries (domain: `split(' ').filter(Boolean)`). */
export function scopeArray(column: RawBuilder<unknown>): RawBuilder<string[]> {
  return sql<string[]>`array_remove(string_to_array(${column}, ' '), '')`;
}

/** Every (scope, implied scope) pair of the catalogue, as a VALUES list of constants. */
function implications(): RawBuilder<unknown> {
  const pairs = Object.entries(SCOPES).flatMap(([scope, info]) => info.implies.map((implied) => sql`(${sql.lit(scope)}, ${sql.lit(implied)})`));
  return sql`(VALUES ${sql.join(pairs)}) AS imp(s, i)`;
}

/** `expand(scopes)`: the scopes with what each implies (one level, as the catalogue spells them out). */
export function expanded(scopes: RawBuilder<string[]>): RawBuilder<string[]> {
  return sql<string[]>`(${scopes} || ARRAY(SELECT imp.i FROM ${implications()} WHERE imp.s = ANY(${scopes})))`;
}

/**
 * True when `narrowScopes(held, allowed)` is not empty: some scope of `held`, implications spelled
 * out, is one `allowed` gives (a grant narrowed under "Manage applications" still allows some of it).
 */
export function stillGrantsSome(held: RawBuilder<string[]>, allowed: RawBuilder<string[]>): RawBuilder<boolean> {
  return sql<boolean>`(${expanded(held)} && ${expanded(allowed)})`;
}
