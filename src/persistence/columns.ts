/**
 * Every column of the tables the prepared hot queries read, listed by name.
 *
 * A prepared query names its columns instead of selecting `*`: on PostgreSQL it runs as a named
 * server-side statement (persistence/named_statements.ts), and PostgreSQL refuses to run a
 * prepared statement whose result columns changed since it was prepared ("cached plan must not
 * change result type"). With `*`, a migration adding a column — say, by the first node of a rolling
 * upgrade — would break every node still running the old code until it restarts.
 *
 * `Record<keyof Table, true>` makes the compiler refuse a list that misses or invents a column.
 * @module
 */
import type { AppsTable, AuthorizationCodesTable, GrantsTable, RefreshTokensTable, SessionsTable, UsersTable, WorkItemsTable } from './schema.ts';

function every<Table>(columns: Record<keyof Table & string, true>): (keyof Table & string)[] {
  return Object.keys(columns) as (keyof Table & string)[];
}

/** `columns` of the table aliased `alias`, as `alias.column` references. */
export function qualified<A extends string, C extends string>(alias: A, columns: readonly C[]): `${A}.${C}`[] {
  return columns.map((c) => `${alias}.${c}` as `${A}.${C}`);
}

/** `columns` of the table aliased `alias`, each selected as `<prefix><column>`, to sit beside another table's. */
export function prefixed<A extends string, P extends string, C extends string>(alias: A, prefix: P, columns: readonly C[]): `${A}.${C} as ${P}${C}`[] {
  return columns.map((c) => `${alias}.${c} as ${prefix}${c}` as `${A}.${C} as ${P}${C}`);
}

/** The row of `columns` selected with `prefixed`, under their own names again. */
export function unprefixed<Row>(row: Record<string, unknown>, prefix: string, columns: readonly (keyof Row & string)[]): Row {
  return Object.fromEntries(columns.map((c) => [c, row[prefix + c]])) as Row;
}

export const USER_COLUMNS = every<UsersTable>({
  id: true, email: true, name: true, password_hash: true, created_at: true, updated_at: true, password_changed_at: true, disabled_at: true,
  kind: true, directory_id: true, email_verified_at: true, platform_operator_at: true,
});

export const SESSION_COLUMNS = every<SessionsTable>({
  id: true, user_id: true, auth_time: true, amr: true, created_at: true, last_seen_at: true, expires_at: true, ended_at: true, ip: true,
  user_agent: true,
});

export const GRANT_COLUMNS = every<GrantsTable>({
  id: true, user_id: true, app_id: true, scopes: true, created_at: true, updated_at: true, last_used_at: true, last_used_ip: true,
  expires_at: true, revoked_at: true, org_ids: true,
});

export const APP_COLUMNS = every<AppsTable>({
  id: true, name: true, description: true, publisher: true, website_url: true, logo_url: true, redirect_uris: true,
  post_logout_redirect_uris: true, client_type: true, scopes: true, owner_user_id: true, verified: true, created_at: true, updated_at: true,
  company_url: true, terms_url: true, privacy_url: true, owner_org_id: true, device_flow: true, require_par: true,
  dpop_bound_access_tokens: true, spa: true, backchannel_logout_uri: true, backchannel_logout_session_required: true,
  ssf_endpoint_url: true,
});

export const CODE_COLUMNS = every<AuthorizationCodesTable>({
  id: true, app_id: true, user_id: true, grant_id: true, family_id: true, redirect_uri: true, scopes: true, code_challenge: true, nonce: true,
  auth_time: true, amr: true, created_at: true, expires_at: true, consumed_at: true, dpop_jkt: true, sid: true,
});

/** With each column's PostgreSQL type, which the token store's `INSERT … SELECT` casts its values to. */
export const REFRESH_TOKEN_TYPES: Record<keyof RefreshTokensTable, 'text' | 'bigint'> = {
  id: 'text', family_id: 'text', grant_id: 'text', app_id: 'text', user_id: 'text', scopes: 'text', auth_time: 'bigint', amr: 'text',
  parent_id: 'text', created_at: 'bigint', expires_at: 'bigint', family_expires_at: 'bigint', rotated_at: 'bigint', revoked_at: 'bigint',
  dpop_jkt: 'text', sid: 'text',
};

export const REFRESH_TOKEN_COLUMNS = Object.keys(REFRESH_TOKEN_TYPES) as (keyof RefreshTokensTable)[];

export const WORK_ITEM_COLUMNS = every<WorkItemsTable>({
  project_id: true, number: true, title: true, type: true, state: true, assignee_id: true, description: true, revision: true, created_by: true,
  created_at: true, updated_at: true,
});
