import { PostgresAdapter, sql, type Kysely, type RawBuilder, type SelectQueryBuilder } from 'kysely';
import type { Db } from '../database.ts';
import { PreparedQuery } from '../prepared.ts';
import { CODE_COLUMNS, qualified, REFRESH_TOKEN_COLUMNS, REFRESH_TOKEN_TYPES } from '../columns.ts';
import type { AuthorizationCodesTable, Database, RefreshTokensTable } from '../schema.ts';
import { parseOrgIds } from '../../domain/grants.ts';
import type { AuthorizationCode, RedemptionAttempt, RefreshToken, Revocation, RevocationStore, RotationAttempt, TokenHolder, TokenStore } from '../../domain/tokens.ts';
import { checkedExchangeQueries, type HolderColumns } from './checked_exchanges.ts';

function toCode(row: AuthorizationCodesTable): AuthorizationCode {
  return {
    id: row.id,
    appId: row.app_id,
    userId: row.user_id,
    grantId: row.grant_id,
    familyId: row.family_id,
    redirectUri: row.redirect_uri,
    scopes: row.scopes.split(' ').filter(Boolean),
    codeChallenge: row.code_challenge,
    nonce: row.nonce,
    authTime: row.auth_time,
    amr: JSON.parse(row.amr) as string[],
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    consumedAt: row.consumed_at,
    dpopJkt: row.dpop_jkt,
    sid: row.sid,
  };
}

function toRefresh(row: RefreshTokensTable): RefreshToken {
  return {
    id: row.id,
    familyId: row.family_id,
    grantId: row.grant_id,
    appId: row.app_id,
    userId: row.user_id,
    scopes: row.scopes.split(' ').filter(Boolean),
    authTime: row.auth_time,
    amr: JSON.parse(row.amr) as string[],
    parentId: row.parent_id,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    familyExpiresAt: row.family_expires_at,
    rotatedAt: row.rotated_at,
    revokedAt: row.revoked_at,
    dpopJkt: row.dpop_jkt,
    sid: row.sid,
  };
}

export function refreshRow(t: RefreshToken): RefreshTokensTable {
  return {
    id: t.id,
    family_id: t.familyId,
    grant_id: t.grantId,
    app_id: t.appId,
    user_id: t.userId,
    scopes: t.scopes.join(' '),
    auth_time: t.authTime,
    amr: JSON.stringify(t.amr),
    parent_id: t.parentId,
    created_at: t.createdAt,
    expires_at: t.expiresAt,
    family_expires_at: t.familyExpiresAt,
    rotated_at: t.rotatedAt,
    revoked_at: t.revokedAt,
    dpop_jkt: t.dpopJkt ?? null,
    sid: t.sid ?? null,
  };
}

function toHolder(row: HolderColumns): TokenHolder {
  return {
    grant:
      row.grant_found === null
        ? undefined
        : {
            revokedAt: row.grant_revoked_at,
            expiresAt: row.grant_expires_at,
            scopes: (row.grant_scopes ?? '').split(' ').filter(Boolean),
            orgIds: parseOrgIds(row.grant_org_ids),
          },
    user:
      row.user_found === null
        ? undefined
        : { disabledAt: row.user_disabled_at, passwordChangedAt: row.user_password_changed_at, email: row.user_email ?? '', emailVerified: row.user_email_verified_at !== null },
  };
}

/**
 * A refresh-token row as the select list of `INSERT … SELECT … FROM <cte>` on PostgreSQL: each
 * parameter cast to its column's type, since a bare parameter in a select list has none.
 */
function refreshSelectList(r: RefreshTokensTable): RawBuilder<unknown> {
  return sql.join(REFRESH_TOKEN_COLUMNS.map((c) => sql`${r[c]}::${sql.raw(REFRESH_TOKEN_TYPES[c])}`));
}

const REFRESH_COLUMNS = sql.raw(REFRESH_TOKEN_COLUMNS.join(', '));

/**
 * Revokes every refresh token of the grants `grantIds` selects — a person's, or a directory's
 * people's — by grant, since refresh_tokens has no index by person (migration 202611291800).
 */
export async function revokeRefreshTokensOf(tx: Kysely<Database>, grantIds: SelectQueryBuilder<Database, 'grants', { id: string }>, now: number): Promise<void> {
  await tx.updateTable('refresh_tokens').set({ revoked_at: now }).where('grant_id', 'in', grantIds).where('revoked_at', 'is', null).execute();
}

/** Revokes every refresh token of a grant; used inside the grant's own revocation transaction. */
export async function revokeFamiliesOfGrant(tx: Kysely<Database>, grantId: string, now: number): Promise<void> {
  await tx.updateTable('refresh_tokens').set({ revoked_at: now }).where('grant_id', '=', grantId).where('revoked_at', 'is', null).execute();
}

/** The token holder's columns beside a code or refresh token: its grant and its person (left joins). */
const HOLDER_COLUMNS = [
  'g.id as grant_found', 'g.revoked_at as grant_revoked_at', 'g.expires_at as grant_expires_at', 'g.scopes as grant_scopes', 'g.org_ids as grant_org_ids',
  'u.id as user_found', 'u.disabled_at as user_disabled_at', 'u.password_changed_at as user_password_changed_at',
  'u.email as user_email', 'u.email_verified_at as user_email_verified_at',
] as const;

/**
 * The statements of the two token exchanges (RFC 6749 §4.1.3, §6), the hottest writes Tessera
 * has, compiled once (persistence/prepared.ts).
 */
function tokenQueries(db: Db, postgres: boolean) {
  const codeWithHolder = new PreparedQuery(db, (v: { id: string }) =>
    db
      .selectFrom('authorization_codes as c')
      .leftJoin('grants as g', 'g.id', 'c.grant_id')
      .leftJoin('users as u', 'u.id', 'c.user_id')
      .select(qualified('c', CODE_COLUMNS))
      .select(HOLDER_COLUMNS)
      .where('c.id', '=', v.id),
  );
  const refreshWithHolder = new PreparedQuery(db, (v: { id: string }) =>
    db
      .selectFrom('refresh_tokens as r')
      .leftJoin('grants as g', 'g.id', 'r.grant_id')
      .leftJoin('users as u', 'u.id', 'r.user_id')
      .select(qualified('r', REFRESH_TOKEN_COLUMNS))
      .select(HOLDER_COLUMNS)
      .where('r.id', '=', v.id),
  );
  const consumeCode = new PreparedQuery(db, (v: { id: string; now: number }) =>
    db.updateTable('authorization_codes').set({ consumed_at: v.now }).where('id', '=', v.id).where('consumed_at', 'is', null),
  );
  const markRotated = new PreparedQuery(db, (v: { id: string; now: number }) =>
    db.updateTable('refresh_tokens').set({ rotated_at: v.now }).where('id', '=', v.id).where('rotated_at', 'is', null).where('revoked_at', 'is', null),
  );
  const insertCode = new PreparedQuery(db, (v: AuthorizationCodesTable) => db.insertInto('authorization_codes').values(codeColumns(v)));
  // The app named with the session whose sign-in issued the code (issue 19): its row shares the
  // code's app, person, sid and time. PostgreSQL: in the code's own statement; SQLite: in its transaction.
  const insertSessionApp = new PreparedQuery(db, (v: AuthorizationCodesTable & { session_id: string }) =>
    db
      .insertInto('session_apps')
      .values({ session_id: v.session_id, app_id: v.app_id, user_id: v.user_id, sid: v.sid!, created_at: v.created_at })
      .onConflict((oc) => oc.columns(['session_id', 'app_id']).doNothing()),
  );
  const insertCodeNamingApp = new PreparedQuery(db, (v: AuthorizationCodesTable & { session_id: string }) =>
    db
      .with('named', (w) =>
        w
          .insertInto('session_apps')
          .values({ session_id: v.session_id, app_id: v.app_id, user_id: v.user_id, sid: v.sid!, created_at: v.created_at })
          .onConflict((oc) => oc.columns(['session_id', 'app_id']).doNothing()),
      )
      .insertInto('authorization_codes')
      .values(codeColumns(v)),
  );
  const insertRefresh = new PreparedQuery(db, (v: RefreshTokensTable) => db.insertInto('refresh_tokens').values(refreshColumns(v)));
  // PostgreSQL: one statement, so one round trip, and atomic — the successor is inserted only if
  // the update won. SQLite has no data-modifying CTEs; there the two run in one transaction.
  const consumeCodeInserting = new PreparedQuery(db, (v: RefreshTokensTable & { codeId: string; now: number }) =>
    sql<{ id: string }>`
      WITH consumed AS (
        UPDATE authorization_codes SET consumed_at = ${v.now} WHERE id = ${v.codeId} AND consumed_at IS NULL RETURNING id
      )
      INSERT INTO refresh_tokens (${REFRESH_COLUMNS}) SELECT ${refreshSelectList(v)} FROM consumed
      RETURNING id`,
  );
  const rotateInserting = new PreparedQuery(db, (v: RefreshTokensTable & { oldId: string; now: number }) =>
    sql<{ id: string }>`
      WITH rotated AS (
        UPDATE refresh_tokens SET rotated_at = ${v.now}
        WHERE id = ${v.oldId} AND rotated_at IS NULL AND revoked_at IS NULL RETURNING id
      )
      INSERT INTO refresh_tokens (${REFRESH_COLUMNS}) SELECT ${refreshSelectList(v)} FROM rotated
      RETURNING id`,
  );
  return {
    insertCode, insertSessionApp, codeWithHolder, refreshWithHolder, consumeCode, markRotated, insertRefresh,
    ...(postgres ? { consumeCodeInserting, rotateInserting, insertCodeNamingApp, ...checkedExchangeQueries(db) } : {}),
  };
}

function codeRow(code: AuthorizationCode): AuthorizationCodesTable {
  return {
    id: code.id,
    app_id: code.appId,
    user_id: code.userId,
    grant_id: code.grantId,
    family_id: code.familyId,
    redirect_uri: code.redirectUri,
    scopes: code.scopes.join(' '),
    code_challenge: code.codeChallenge,
    nonce: code.nonce,
    auth_time: code.authTime,
    amr: JSON.stringify(code.amr),
    created_at: code.createdAt,
    expires_at: code.expiresAt,
    consumed_at: null,
    dpop_jkt: code.dpopJkt ?? null,
    sid: code.sid ?? null,
  };
}

/** Every column of a code row (the placeholders read each once). */
function codeColumns(v: AuthorizationCodesTable): AuthorizationCodesTable {
  return {
    id: v.id, app_id: v.app_id, user_id: v.user_id, grant_id: v.grant_id, family_id: v.family_id, redirect_uri: v.redirect_uri, scopes: v.scopes,
    code_challenge: v.code_challenge, nonce: v.nonce, auth_time: v.auth_time, amr: v.amr, created_at: v.created_at, expires_at: v.expires_at,
    consumed_at: v.consumed_at, dpop_jkt: v.dpop_jkt, sid: v.sid,
  };
}

/** Every column of a refresh-token row, in REFRESH_COLUMNS order (the placeholders read each once). */
function refreshColumns(v: RefreshTokensTable): RefreshTokensTable {
  return {
    id: v.id, family_id: v.family_id, grant_id: v.grant_id, app_id: v.app_id, user_id: v.user_id, scopes: v.scopes, auth_time: v.auth_time,
    amr: v.amr, parent_id: v.parent_id, created_at: v.created_at, expires_at: v.expires_at, family_expires_at: v.family_expires_at,
    rotated_at: v.rotated_at, revoked_at: v.revoked_at, dpop_jkt: v.dpop_jkt, sid: v.sid,
  };
}

export class SqlTokenStore implements TokenStore {
  private readonly postgres: boolean;
  private readonly q: ReturnType<typeof tokenQueries>;

  constructor(private readonly db: Db) {
    this.postgres = db.getExecutor().adapter instanceof PostgresAdapter;
    this.q = tokenQueries(db, this.postgres);
  }

  async createCode(code: AuthorizationCode, sessionId?: string) {
    const row = codeRow(code);
    if (sessionId === undefined || row.sid === null) {
      await this.q.insertCode.run(this.db, row);
    } else if (this.q.insertCodeNamingApp) {
      await this.q.insertCodeNamingApp.run(this.db, { ...row, session_id: sessionId });
    } else {
      await this.db.transaction().execute(async (tx) => {
        await this.q.insertSessionApp.run(tx, { ...row, session_id: sessionId });
        await this.q.insertCode.run(tx, row);
      });
    }
  }

  async findCode(id: string) {
    const row = await this.db.selectFrom('authorization_codes').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toCode(row);
  }

  async findCodeWithHolder(id: string) {
    const row = await this.q.codeWithHolder.first(this.db, { id });
    return row && { code: toCode(row), holder: toHolder(row) };
  }

  async findCodeRedeeming(attempt: RedemptionAttempt) {
    if (!this.q.redeemChecked) return this.withoutWrite(await this.findCodeWithHolder(attempt.id), { redeemed: false, refreshIssued: false });
    const { firstRefresh: rt, ...checks } = attempt;
    const row = await this.q.redeemChecked.first(this.db, {
      ...checks, rt_id: rt.id, rt_expires_at: rt.expiresAt, rt_family_expires_at: rt.familyExpiresAt, rt_dpop_jkt: rt.dpopJkt,
    });
    return row && { code: toCode(row), holder: toHolder(row), redeemed: row.redeemed, refreshIssued: row.refresh_issued };
  }

  private withoutWrite<T extends object, W extends object>(found: T | undefined, write: W): (T & W) | undefined {
    return found && { ...found, ...write };
  }

  async redeemCode(codeId: string, now: number, firstRefresh: RefreshToken | undefined) {
    if (!firstRefresh) return (await this.q.consumeCode.changed(this.db, { id: codeId, now })) === 1;
    if (this.q.consumeCodeInserting) {
      return (await this.q.consumeCodeInserting.run(this.db, { ...refreshRow(firstRefresh), codeId, now })).rows.length === 1;
    }
    return this.db.transaction().execute(async (tx) => {
      if ((await this.q.consumeCode.changed(tx, { id: codeId, now })) !== 1) return false;
      await this.q.insertRefresh.run(tx, refreshRow(firstRefresh));
      return true;
    });
  }

  async findRefresh(id: string) {
    const row = await this.db.selectFrom('refresh_tokens').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toRefresh(row);
  }

  async findRefreshWithHolder(id: string) {
    const row = await this.q.refreshWithHolder.first(this.db, { id });
    return row && { token: toRefresh(row), holder: toHolder(row) };
  }

  async findRefreshRotating(attempt: RotationAttempt) {
    if (!this.q.rotateChecked) return this.withoutWrite(await this.findRefreshWithHolder(attempt.id), { rotated: false });
    const { next, ...checks } = attempt;
    const row = await this.q.rotateChecked.first(this.db, { ...checks, next_id: next.id, next_idle_end: next.idleEnd, next_dpop_jkt: next.dpopJkt });
    return row && { token: toRefresh(row), holder: toHolder(row), rotated: row.rotated };
  }

  async findLiveRefreshOfFamily(familyId: string) {
    const row = await this.db
      .selectFrom('refresh_tokens')
      .selectAll()
      .where('family_id', '=', familyId)
      .where('rotated_at', 'is', null)
      .where('revoked_at', 'is', null)
      .orderBy('created_at', 'desc')
      .executeTakeFirst();
    return row && toRefresh(row);
  }

  /** Rotates `oldId` atomically; false when another request rotated or revoked it first. */
  async rotateRefresh(oldId: string, next: RefreshToken, now: number) {
    if (this.q.rotateInserting) {
      return (await this.q.rotateInserting.run(this.db, { ...refreshRow(next), oldId, now })).rows.length === 1;
    }
    return this.db.transaction().execute(async (tx) => {
      if ((await this.q.markRotated.changed(tx, { id: oldId, now })) !== 1) return false;
      await this.q.insertRefresh.run(tx, refreshRow(next));
      return true;
    });
  }

  async revokeFamily(familyId: string, now: number, denylistUntil: number) {
    await this.db.transaction().execute(async (tx) => {
      await tx.updateTable('refresh_tokens').set({ revoked_at: now }).where('family_id', '=', familyId).where('revoked_at', 'is', null).execute();
      await tx
        .insertInto('revocations')
        .values({ id: familyId, kind: 'family', revoked_at: now, expires_at: denylistUntil })
        .onConflict((oc) => oc.column('id').doNothing())
        .execute();
    });
  }

  async revokeAccessToken(jti: string, now: number, expiresAt: number) {
    await this.db
      .insertInto('revocations')
      .values({ id: jti, kind: 'token', revoked_at: now, expires_at: expiresAt })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
  }
}

export class SqlRevocationStore implements RevocationStore {
  constructor(private readonly db: Db) {}

  async listSince(since: number, now: number): Promise<Revocation[]> {
    const rows = await this.db
      .selectFrom('revocations')
      .selectAll()
      .where('revoked_at', '>=', since)
      .where('expires_at', '>', now)
      .execute();
    return rows.map((r) => ({ id: r.id, kind: r.kind, revokedAt: r.revoked_at, expiresAt: r.expires_at }));
  }
}
