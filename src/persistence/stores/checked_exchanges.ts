/**
 * The two token exchanges as one statement each on PostgreSQL (issue 14): the code or refresh
 * token is read with its grant and person, and redeemed or rotated in the same statement only when
 * every check the grant handler makes holds, so a successful exchange costs one round trip.
 *
 * Each statement returns the row as it was read, whatever happened, plus whether it wrote. When it
 * did not write, the handler runs its checks on that row as before (the right error, in the RFC's
 * order) and, when they all pass, redeems or rotates with the statement it always used: a lost
 * race then shows as it did (reuse or replay). So the WHERE below may be stricter than the
 * handler's checks (a slower path), never looser (a refused request would spend the token).
 *
 * Concurrency: the UPDATE re-reads its target row under READ COMMITTED, so two requests racing
 * for one token or code still see exactly one rotation or redemption (`rotated_at IS NULL`,
 * `consumed_at IS NULL` in its own WHERE); the checks of the grant and person are as of the
 * statement's snapshot, as they were as of the separate read before.
 *
 * SQLite has no data-modifying CTEs; there the store reads, and the handler writes in a transaction.
 * @module
 */
import { sql, type RawBuilder } from 'kysely';
import { QUERY_TIMEOUT_MS, type Db } from '../database.ts';
import { PreparedQuery } from '../prepared.ts';
import { CODE_COLUMNS, REFRESH_TOKEN_COLUMNS } from '../columns.ts';
import type { AuthorizationCodesTable, RefreshTokensTable } from '../schema.ts';
import type { RedemptionAttempt, RotationAttempt } from '../../domain/tokens.ts';
import { scopeArray, stillGrantsSome } from '../scope_sql.ts';

/** The grant and person beside a code or refresh token (left joins: either may be gone). */
export interface HolderColumns {
  grant_found: string | null;
  grant_revoked_at: number | null;
  grant_expires_at: number | null;
  grant_scopes: string | null;
  grant_org_ids: string | null;
  user_found: string | null;
  user_disabled_at: number | null;
  user_password_changed_at: number | null;
  user_email: string | null;
  user_email_verified_at: number | null;
}

const HOLDER_NAMES = [
  'grant_found', 'grant_revoked_at', 'grant_expires_at', 'grant_scopes', 'grant_org_ids',
  'user_found', 'user_disabled_at', 'user_password_changed_at', 'user_email', 'user_email_verified_at',
] as const satisfies readonly (keyof HolderColumns)[];

const HOLDER_SELECT = sql.raw(
  'g.id AS grant_found, g.revoked_at AS grant_revoked_at, g.expires_at AS grant_expires_at, g.scopes AS grant_scopes, g.org_ids AS grant_org_ids, ' +
    'u.id AS user_found, u.disabled_at AS user_disabled_at, u.password_changed_at AS user_password_changed_at, u.email AS user_email, ' +
    'u.email_verified_at AS user_email_verified_at',
);

/** `alias.column, …` for a select list; `cur.column, …` for the outer select. */
function columns(alias: string, names: readonly string[]): RawBuilder<unknown> {
  return sql.raw(names.map((n) => `${alias}.${n}`).join(', '));
}

/**
 * The statement writes only before this deadline, by the database's clock: `now` (whole seconds,
 * rounded down) plus a window shorter than the time this process waits for its answer. A statement
 * held up in a frozen or partitioned database's socket runs when the database wakes, after this
 * process answered 503 and the client was told to try again with the same token or code; written
 * then, the retry would look like reuse and revoke the family (SECURITY R3: nothing refused during
 * an outage takes effect; test/reliability/db_outage.test.ts, "frozen"). Past the deadline it only
 * reads. If the database's clock runs ahead of this node's by more than the window, every exchange
 * takes the handler's second statement (slower, still correct); behind it, a late statement can
 * write within the skew, as the two-statement path always could.
 */
const WRITE_DEADLINE = (now: unknown) => sql`extract(epoch from clock_timestamp()) < ${now}::bigint + ${sql.raw(String(Math.floor(QUERY_TIMEOUT_MS / 1000) - 1))}`;

/** The grant is live and the person may still get tokens (grants/checks.ts, same order of ideas). */
const HOLDER_LIVE = (now: unknown) => sql`
  g.id IS NOT NULL AND g.revoked_at IS NULL AND (g.expires_at IS NULL OR ${now} < g.expires_at)
  AND u.id IS NOT NULL AND u.disabled_at IS NULL`;

export type CheckedCodeRow = AuthorizationCodesTable & HolderColumns & { redeemed: boolean; refresh_issued: boolean };
export type CheckedRefreshRow = RefreshTokensTable & HolderColumns & { rotated: boolean };

export function checkedExchangeQueries(db: Db) {
  const codeColumns = [...CODE_COLUMNS, ...HOLDER_NAMES];
  const refreshColumns = [...REFRESH_TOKEN_COLUMNS, ...HOLDER_NAMES];

  const redeemChecked = new PreparedQuery(db, (v: Omit<RedemptionAttempt, 'firstRefresh'> & { rt_id: string; rt_expires_at: number; rt_family_expires_at: number; rt_dpop_jkt: string | null }) => {
    const held = scopeArray(sql`c.scopes`);
    return sql<CheckedCodeRow>`
      WITH cur AS (
        SELECT ${columns('c', CODE_COLUMNS)}, ${HOLDER_SELECT},
          COALESCE(
            c.app_id = ${v.appId}
            AND ${v.now} < c.expires_at
            -- RFC 6749 §4.1.3: the same redirect_uri as the authorization request, or none sent
            -- (or the single registered one) when that request named none.
            AND CASE WHEN c.redirect_uri <> '' THEN c.redirect_uri = ${v.redirectUri}::text ELSE ${v.redirectUriFitsUnnamed}::boolean END
            -- RFC 7636 §4.6: the challenge is public (it travelled in the front channel); the
            -- secret is the verifier, hashed before the statement.
            AND c.code_challenge = ${v.codeChallenge}
            -- RFC 9449 §10.1: a code bound with dpop_jkt needs a proof of that key.
            AND (c.dpop_jkt IS NULL OR c.dpop_jkt = ${v.proofJkt}::text)
            AND ${HOLDER_LIVE(v.now)}
            AND ${WRITE_DEADLINE(v.now)}
            AND ${stillGrantsSome(held, scopeArray(sql`g.scopes`))},
          false) AS ok
        FROM authorization_codes c
        LEFT JOIN grants g ON g.id = c.grant_id
        LEFT JOIN users u ON u.id = c.user_id
        WHERE c.id = ${v.id}
      ),
      consumed AS (
        UPDATE authorization_codes SET consumed_at = ${v.now}
        WHERE id = ${v.id} AND consumed_at IS NULL AND (SELECT ok FROM cur)
        RETURNING id
      ),
      first_refresh AS (
        INSERT INTO refresh_tokens (${sql.raw(REFRESH_TOKEN_COLUMNS.join(', '))})
        SELECT ${v.rt_id}::text, c.family_id, c.grant_id, c.app_id, c.user_id, c.scopes, c.auth_time, c.amr, NULL::text,
          ${v.now}::bigint, ${v.rt_expires_at}::bigint, ${v.rt_family_expires_at}::bigint, NULL::bigint, NULL::bigint, ${v.rt_dpop_jkt}::text, c.sid
        FROM cur c JOIN consumed ON consumed.id = c.id
        WHERE 'offline_access' = ANY(${held})
        RETURNING id
      )
      SELECT ${columns('cur', codeColumns)},
        EXISTS (SELECT 1 FROM consumed) AS redeemed, EXISTS (SELECT 1 FROM first_refresh) AS refresh_issued
      FROM cur`;
  });

  const rotateChecked = new PreparedQuery(db, (v: Omit<RotationAttempt, 'next'> & { next_id: string; next_idle_end: number; next_dpop_jkt: string | null }) => {
    const held = sql<string[]>`COALESCE(${v.requestedScopes}::text[], ${scopeArray(sql`r.scopes`)})`;
    return sql<CheckedRefreshRow>`
      WITH cur AS (
        SELECT ${columns('r', REFRESH_TOKEN_COLUMNS)}, ${HOLDER_SELECT},
          COALESCE(
            r.app_id = ${v.appId}
            -- RFC 9449 §5: a bound token needs a proof of its key.
            AND (r.dpop_jkt IS NULL OR r.dpop_jkt = ${v.proofJkt}::text)
            AND r.revoked_at IS NULL AND ${v.now} < r.expires_at
            -- A rotated token takes the handler's path: the grace retry or reuse (RFC 9700 §4.14.2).
            AND r.rotated_at IS NULL
            -- RFC 6749 §6: a requested scope is within the token's.
            AND (${v.requestedScopes}::text[] IS NULL OR ${scopeArray(sql`r.scopes`)} @> ${v.requestedScopes}::text[])
            AND ${HOLDER_LIVE(v.now)}
            AND ${WRITE_DEADLINE(v.now)}
            AND ${stillGrantsSome(held, scopeArray(sql`g.scopes`))}
            -- A password change ends the refresh tokens obtained before it (SECURITY 19).
            AND (u.password_changed_at IS NULL OR r.created_at >= u.password_changed_at),
          false) AS ok
        FROM refresh_tokens r
        LEFT JOIN grants g ON g.id = r.grant_id
        LEFT JOIN users u ON u.id = r.user_id
        WHERE r.id = ${v.id}
      ),
      rotated AS (
        UPDATE refresh_tokens SET rotated_at = ${v.now}
        WHERE id = ${v.id} AND rotated_at IS NULL AND revoked_at IS NULL AND (SELECT ok FROM cur)
        RETURNING id
      ),
      successor AS (
        INSERT INTO refresh_tokens (${sql.raw(REFRESH_TOKEN_COLUMNS.join(', '))})
        SELECT ${v.next_id}::text, c.family_id, c.grant_id, c.app_id, c.user_id, c.scopes, c.auth_time, c.amr, c.id,
          ${v.now}::bigint, LEAST(${v.next_idle_end}::bigint, c.family_expires_at), c.family_expires_at, NULL::bigint, NULL::bigint,
          COALESCE(NULLIF(c.dpop_jkt, ''), ${v.next_dpop_jkt}::text), c.sid
        FROM cur c JOIN rotated ON rotated.id = c.id
        RETURNING id
      )
      SELECT ${columns('cur', refreshColumns)}, EXISTS (SELECT 1 FROM successor) AS rotated
      FROM cur`;
  });

  return { redeemChecked, rotateChecked };
}
