import type { Db } from '../database.ts';
import type { GrantsTable } from '../schema.ts';
import type { Grant, GrantStore } from '../../domain/grants.ts';
import { unionScopes } from '../../domain/scopes.ts';
import { randomId } from '../../crypto/random.ts';
import { isUniqueViolation } from './errors.ts';
import { revokeFamiliesOfGrant } from './tokens.ts';

function toGrant(row: GrantsTable): Grant {
  return {
    id: row.id,
    userId: row.user_id,
    appId: row.app_id,
    scopes: row.scopes.split(' ').filter(Boolean),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    lastUsedAt: row.last_used_at,
    expiresAt: row.expires_at,
  };
}

export class SqlGrantStore implements GrantStore {
  constructor(private readonly db: Db) {}

  async findLive(userId: string, appId: string, now: number) {
    const row = await this.db
      .selectFrom('grants')
      .selectAll()
      .where('user_id', '=', userId)
      .where('app_id', '=', appId)
      .where('revoked_at', 'is', null)
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
      .executeTakeFirst();
    return row && toGrant(row);
  }

  async findById(id: string) {
    const row = await this.db.selectFrom('grants').selectAll().where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
    return row && toGrant(row);
  }

  async approve(userId: string, appId: string, scopes: string[], now: number): Promise<Grant> {
    // Two approvals racing for a new grant: the unique index lets one insert win; the other extends it.
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.db.transaction().execute(async (tx) => {
          const live = await tx
            .selectFrom('grants')
            .selectAll()
            .where('user_id', '=', userId)
            .where('app_id', '=', appId)
            .where('revoked_at', 'is', null)
            .executeTakeFirst();
          if (live) {
            const merged = unionScopes(live.scopes.split(' ').filter(Boolean), scopes).join(' ');
            await tx.updateTable('grants').set({ scopes: merged, updated_at: now }).where('id', '=', live.id).execute();
            return toGrant({ ...live, scopes: merged, updated_at: now });
          }
          const row: GrantsTable = {
            id: randomId(),
            user_id: userId,
            app_id: appId,
            scopes: scopes.join(' '),
            created_at: now,
            updated_at: now,
            last_used_at: null,
            last_used_ip: null,
            expires_at: null,
            revoked_at: null,
          };
          await tx.insertInto('grants').values(row).execute();
          return toGrant(row);
        });
      } catch (err) {
        if (attempt < 2 && isUniqueViolation(err)) continue;
        throw err;
      }
    }
  }

  async revoke(grantId: string, now: number, denylistUntil: number): Promise<boolean> {
    return this.db.transaction().execute(async (tx) => {
      const result = await tx
        .updateTable('grants')
        .set({ revoked_at: now, updated_at: now })
        .where('id', '=', grantId)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) return false;
      await tx
        .updateTable('authorization_codes')
        .set({ consumed_at: now })
        .where('grant_id', '=', grantId)
        .where('consumed_at', 'is', null)
        .execute();
      await revokeFamiliesOfGrant(tx, grantId, now);
      await tx
        .insertInto('revocations')
        .values({ id: grantId, kind: 'grant', revoked_at: now, expires_at: denylistUntil })
        .onConflict((oc) => oc.column('id').doNothing())
        .execute();
      return true;
    });
  }

  async touch(grantId: string, now: number, ip: string | null) {
    await this.db.updateTable('grants').set({ last_used_at: now, last_used_ip: ip }).where('id', '=', grantId).execute();
  }
}
