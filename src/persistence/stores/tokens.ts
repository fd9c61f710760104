import type { Kysely } from 'kysely';
import type { Db } from '../database.ts';
import type { AuthorizationCodesTable, Database, RefreshTokensTable } from '../schema.ts';
import type { AuthorizationCode, RefreshToken, Revocation, RevocationStore, TokenStore } from '../../domain/tokens.ts';

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

/** Revokes every refresh token of a grant; used inside the grant's own revocation transaction. */
export async function revokeFamiliesOfGrant(tx: Kysely<Database>, grantId: string, now: number): Promise<void> {
  await tx.updateTable('refresh_tokens').set({ revoked_at: now }).where('grant_id', '=', grantId).where('revoked_at', 'is', null).execute();
}

export class SqlTokenStore implements TokenStore {
  constructor(private readonly db: Db) {}

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

  async redeemCode(codeId: string, now: number, firstRefresh: RefreshToken | undefined) {
    return this.db.transaction().execute(async (tx) => {
      const result = await tx
        .updateTable('authorization_codes')
        .set({ consumed_at: now })
        .where('id', '=', codeId)
        .where('consumed_at', 'is', null)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) return false;
      if (firstRefresh) await tx.insertInto('refresh_tokens').values(refreshRow(firstRefresh)).execute();
      return true;
    });
  }

  async findRefresh(id: string) {
    const row = await this.db.selectFrom('refresh_tokens').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toRefresh(row);
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
