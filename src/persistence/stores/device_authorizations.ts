/** Device authorization requests (RFC 8628, issue 17): every state change is a compare-and-set. */
import { sql } from 'kysely';
import type { Db } from '../database.ts';
import type { DeviceAuthorizationsTable } from '../schema.ts';
import type { DeviceApproval, DeviceAuthorization, DeviceAuthorizationStore, PollOutcome } from '../../domain/device_authorizations.ts';
import type { RefreshToken } from '../../domain/tokens.ts';
import { isUniqueViolation } from './errors.ts';
import { refreshRow } from './tokens.ts';
import { insertAuditEvent } from './audit.ts';
import type { AuditEvent } from '../../domain/audit.ts';

/** RFC 8628 §3.5: each slow_down adds 5 seconds to the interval, for this and every later poll. */
const SLOW_DOWN_STEP = 5;

function toDeviceAuthorization(row: DeviceAuthorizationsTable): DeviceAuthorization {
  return {
    id: row.id,
    userCodeDigest: row.user_code_digest,
    appId: row.app_id,
    scopes: row.scopes.split(' ').filter(Boolean),
    requesterIp: row.requester_ip,
    requesterUserAgent: row.requester_user_agent,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    interval: row.poll_interval,
    lastPolledAt: row.last_polled_at,
    status: row.status,
    userId: row.user_id,
    grantId: row.grant_id,
    familyId: row.family_id,
    authTime: row.auth_time,
    amr: row.amr === null ? [] : row.amr.split(' ').filter(Boolean),
    decidedAt: row.decided_at,
  };
}

export class SqlDeviceAuthorizationStore implements DeviceAuthorizationStore {
  constructor(private readonly db: Db) {}

  async create(d: DeviceAuthorization) {
    try {
      await this.db
        .insertInto('device_authorizations')
        .values({
          id: d.id,
          user_code_digest: d.userCodeDigest,
          app_id: d.appId,
          scopes: d.scopes.join(' '),
          requester_ip: d.requesterIp,
          requester_user_agent: d.requesterUserAgent,
          created_at: d.createdAt,
          expires_at: d.expiresAt,
          poll_interval: d.interval,
          last_polled_at: d.lastPolledAt,
          status: d.status,
          user_id: d.userId,
          grant_id: d.grantId,
          family_id: d.familyId,
          auth_time: d.authTime,
          amr: d.amr.length === 0 ? null : d.amr.join(' '),
          decided_at: d.decidedAt,
        })
        .execute();
      return true;
    } catch (err) {
      if (isUniqueViolation(err)) return false;
      throw err;
    }
  }

  async find(id: string) {
    const row = await this.db.selectFrom('device_authorizations').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toDeviceAuthorization(row);
  }

  async findByUserCode(userCodeDigest: string) {
    const row = await this.db.selectFrom('device_authorizations').selectAll().where('user_code_digest', '=', userCodeDigest).executeTakeFirst();
    return row && toDeviceAuthorization(row);
  }

  async poll(id: string, now: number): Promise<PollOutcome> {
    // A poll on time moves last_polled_at only if nobody polled in between (compare-and-set), so
    // two polls racing cannot both count as on time.
    const onTime = await this.db
      .updateTable('device_authorizations')
      .set({ last_polled_at: now })
      .where('id', '=', id)
      .where((eb) => eb.or([eb('last_polled_at', 'is', null), eb('last_polled_at', '<=', sql<number>`${now} - poll_interval`)]))
      .executeTakeFirst();
    if (Number(onTime.numUpdatedRows) === 1) return 'ok';
    await this.db
      .updateTable('device_authorizations')
      .set({ last_polled_at: now, poll_interval: sql<number>`poll_interval + ${SLOW_DOWN_STEP}` })
      .where('id', '=', id)
      .execute();
    return 'slow_down';
  }

  async approve(id: string, a: DeviceApproval, now: number, event?: AuditEvent) {
    return this.db.transaction().execute(async (tx) => {
      const result = await tx
        .updateTable('device_authorizations')
        .set({ status: 'approved', user_id: a.userId, grant_id: a.grantId, family_id: a.familyId, auth_time: a.authTime, amr: a.amr.join(' '), scopes: a.scopes.join(' '), decided_at: now })
        .where('id', '=', id)
        .where('status', '=', 'pending')
        .where('expires_at', '>', now)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) return false;
      // Issue 17: the device sign-in's notice commits with it (domain/notices.ts).
      if (event) await insertAuditEvent(tx, event, now);
      return true;
    });
  }

  async deny(id: string, now: number) {
    const result = await this.db
      .updateTable('device_authorizations')
      .set({ status: 'denied', decided_at: now })
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .where('expires_at', '>', now)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async redeem(id: string, now: number, firstRefresh: RefreshToken | undefined) {
    return this.db.transaction().execute(async (tx) => {
      const result = await tx
        .updateTable('device_authorizations')
        .set({ status: 'redeemed' })
        .where('id', '=', id)
        .where('status', '=', 'approved')
        .where('expires_at', '>', now)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) return false;
      if (firstRefresh) await tx.insertInto('refresh_tokens').values(refreshRow(firstRefresh)).execute();
      return true;
    });
  }

  async devicesOfGrants(grantIds: readonly string[]) {
    const out = new Map<string, { ip: string; userAgent: string | null }>();
    if (grantIds.length === 0) return out;
    const rows = await this.db
      .selectFrom('device_authorizations')
      .select(['grant_id', 'requester_ip', 'requester_user_agent', 'decided_at'])
      .where('grant_id', 'in', [...grantIds])
      .orderBy('decided_at', 'asc')
      .execute();
    // Ascending, so the latest device of each grant is the one kept.
    for (const r of rows) if (r.grant_id !== null) out.set(r.grant_id, { ip: r.requester_ip, userAgent: r.requester_user_agent });
    return out;
  }
}
