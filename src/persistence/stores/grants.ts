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
    // Approvals racing on one (person, app): a new grant's insert is settled by the unique index, and
    // an extension is a compare-and-set on the scopes it read, so neither can drop the other's
    // scopes (PostgreSQL runs them concurrently under READ COMMITTED). The loser reads again.
    for (let attempt = 0; attempt < 20; attempt++) {
      try {
        const grant = await this.tryApprove(userId, appId, scopes, now);
        if (grant) return grant;
      } catch (err) {
        if (!isUniqueViolation(err)) throw err;
      }
    }
    throw new Error('grant approval kept conflicting');
  }

  /** One attempt: undefined when a concurrent approval changed the grant in between. */
  private async tryApprove(userId: string, appId: string, scopes: string[], now: number): Promise<Grant | undefined> {
    const live = await this.db
      .selectFrom('grants')
      .selectAll()
      .where('user_id', '=', userId)
      .where('app_id', '=', appId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (live) {
      const merged = unionScopes(live.scopes.split(' ').filter(Boolean), scopes).join(' ');
      const result = await this.db
        .updateTable('grants')
        .set({ scopes: merged, updated_at: now })
        .where('id', '=', live.id)
        .where('revoked_at', 'is', null)
        .where('scopes', '=', live.scopes)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1 ? toGrant({ ...live, scopes: merged, updated_at: now }) : undefined;
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
    await this.db.insertInto('grants').values(row).execute();
    return toGrant(row);
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
