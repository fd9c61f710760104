import { PostgresAdapter, sql, type Kysely, type RawBuilder } from 'kysely';
import type { Db } from '../database.ts';
import type { AuthorizationCodesTable, Database, RefreshTokensTable } from '../schema.ts';
import { parseOrgIds } from '../../domain/grants.ts';
import type { AuthorizationCode, RefreshToken, Revocation, RevocationStore, TokenHolder, TokenStore } from '../../domain/tokens.ts';

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
  };
}

function refreshRow(t: RefreshToken): RefreshTokensTable {
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
  };
}

interface HolderColumns {
  grant_found: string | null;
  grant_revoked_at: number | null;
  grant_expires_at: number | null;
  grant_scopes: string | null;
  grant_org_ids: string | null;
  user_found: string | null;
  user_disabled_at: number | null;
  user_password_changed_at: number | null;
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
    user: row.user_found === null ? undefined : { disabledAt: row.user_disabled_at, passwordChangedAt: row.user_password_changed_at },
  };
}

/**
 * A refresh-token row as the select list of `INSERT … SELECT … FROM <cte>` on PostgreSQL: each
 * parameter cast to its column's type, since a bare parameter in a select list has none.
 */
function refreshSelectList(r: RefreshTokensTable): RawBuilder<unknown> {
  const text = (v: string | null) => sql`${v}::text`;
  const int = (v: number | null) => sql`${v}::bigint`;
  return sql.join([
    text(r.id), text(r.family_id), text(r.grant_id), text(r.app_id), text(r.user_id), text(r.scopes), int(r.auth_time),
    text(r.amr), text(r.parent_id), int(r.created_at), int(r.expires_at), int(r.family_expires_at), int(r.rotated_at),
    int(r.revoked_at),
  ]);
}

const REFRESH_COLUMNS = sql.raw(
  'id, family_id, grant_id, app_id, user_id, scopes, auth_time, amr, parent_id, created_at, expires_at, family_expires_at, rotated_at, revoked_at',
);

/** Revokes every refresh token of a grant; used inside the grant's own revocation transaction. */
export async function revokeFamiliesOfGrant(tx: Kysely<Database>, grantId: string, now: number): Promise<void> {
  await tx.updateTable('refresh_tokens').set({ revoked_at: now }).where('grant_id', '=', grantId).where('revoked_at', 'is', null).execute();
}

export class SqlTokenStore implements TokenStore {
  private readonly postgres: boolean;

  constructor(private readonly db: Db) {
    this.postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  }

  async createCode(code: AuthorizationCode) {
    await this.db
      .insertInto('authorization_codes')
      .values({
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
      })
      .execute();
  }

  async findCode(id: string) {
    const row = await this.db.selectFrom('authorization_codes').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toCode(row);
  }

  async findCodeWithHolder(id: string) {
    const row = await this.db
      .selectFrom('authorization_codes as c')
      .leftJoin('grants as g', 'g.id', 'c.grant_id')
      .leftJoin('users as u', 'u.id', 'c.user_id')
      .selectAll('c')
      .select([
        'g.id as grant_found', 'g.revoked_at as grant_revoked_at', 'g.expires_at as grant_expires_at', 'g.scopes as grant_scopes', 'g.org_ids as grant_org_ids',
        'u.id as user_found', 'u.disabled_at as user_disabled_at', 'u.password_changed_at as user_password_changed_at',
      ])
      .where('c.id', '=', id)
      .executeTakeFirst();
    return row && { code: toCode(row), holder: toHolder(row) };
  }

  async redeemCode(codeId: string, now: number, firstRefresh: RefreshToken | undefined) {
    if (!firstRefresh) {
      const result = await this.db
        .updateTable('authorization_codes')
        .set({ consumed_at: now })
        .where('id', '=', codeId)
        .where('consumed_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    }
    if (this.postgres) {
      // One statement, so one round trip, and atomic: the insert happens only if the update won.
      const result = await sql<{ id: string }>`
        WITH consumed AS (
          UPDATE authorization_codes SET consumed_at = ${now} WHERE id = ${codeId} AND consumed_at IS NULL RETURNING id
        )
        INSERT INTO refresh_tokens (${REFRESH_COLUMNS}) SELECT ${refreshSelectList(refreshRow(firstRefresh))} FROM consumed
        RETURNING id`.execute(this.db);
      return result.rows.length === 1;
    }
    return this.db.transaction().execute(async (tx) => {
      const result = await tx
        .updateTable('authorization_codes')
        .set({ consumed_at: now })
        .where('id', '=', codeId)
        .where('consumed_at', 'is', null)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) return false;
      await tx.insertInto('refresh_tokens').values(refreshRow(firstRefresh)).execute();
      return true;
    });
  }

  async findRefresh(id: string) {
    const row = await this.db.selectFrom('refresh_tokens').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toRefresh(row);
  }

  async findRefreshWithHolder(id: string) {
    const row = await this.db
      .selectFrom('refresh_tokens as r')
      .leftJoin('grants as g', 'g.id', 'r.grant_id')
      .leftJoin('users as u', 'u.id', 'r.user_id')
      .selectAll('r')
      .select([
        'g.id as grant_found', 'g.revoked_at as grant_revoked_at', 'g.expires_at as grant_expires_at', 'g.scopes as grant_scopes', 'g.org_ids as grant_org_ids',
        'u.id as user_found', 'u.disabled_at as user_disabled_at', 'u.password_changed_at as user_password_changed_at',
      ])
      .where('r.id', '=', id)
      .executeTakeFirst();
    return row && { token: toRefresh(row), holder: toHolder(row) };
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

  async rotateRefresh(oldId: string, next: RefreshToken, now: number) {
    if (this.postgres) {
      // One statement: the successor is inserted only if this request is the one that rotated.
      const result = await sql<{ id: string }>`
        WITH rotated AS (
          UPDATE refresh_tokens SET rotated_at = ${now}
          WHERE id = ${oldId} AND rotated_at IS NULL AND revoked_at IS NULL RETURNING id
        )
        INSERT INTO refresh_tokens (${REFRESH_COLUMNS}) SELECT ${refreshSelectList(refreshRow(next))} FROM rotated
        RETURNING id`.execute(this.db);
      return result.rows.length === 1;
    }
    return this.db.transaction().execute(async (tx) => {
      const result = await tx
        .updateTable('refresh_tokens')
        .set({ rotated_at: now })
        .where('id', '=', oldId)
        .where('rotated_at', 'is', null)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) return false;
      await tx.insertInto('refresh_tokens').values(refreshRow(next)).execute();
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
