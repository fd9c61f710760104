import type { Db } from '../database.ts';
import type { OrgAppRequestsTable } from '../schema.ts';
import type { ApprovalRequest, ApprovalRequestStatus, ApprovalRequestStore } from '../../domain/approval_requests.ts';
import { randomId } from '../../crypto/random.ts';
import { isUniqueViolation } from './errors.ts';

function toRequest(row: OrgAppRequestsTable): ApprovalRequest {
  return {
    id: row.id,
    orgId: row.org_id,
    appId: row.app_id,
    userId: row.user_id,
    status: row.status as ApprovalRequestStatus,
    createdAt: row.created_at,
    decidedAt: row.decided_at,
    decidedBy: row.decided_by,
  };
}

export class SqlApprovalRequestStore implements ApprovalRequestStore {
  constructor(private readonly db: Db) {}

  async create(orgId: string, appId: string, userId: string, now: number) {
    const row: OrgAppRequestsTable = { id: randomId(), org_id: orgId, app_id: appId, user_id: userId, status: 'pending', created_at: now, decided_at: null, decided_by: null };
    try {
      // The partial unique index settles two requests racing from one person (double click, two tabs).
      await this.db.insertInto('org_app_requests').values(row).execute();
    } catch (err) {
      if (isUniqueViolation(err)) return undefined;
      throw err;
    }
    return toRequest(row);
  }

  async findPending(orgId: string, appId: string, userId: string) {
    const row = await this.db
      .selectFrom('org_app_requests')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('app_id', '=', appId)
      .where('user_id', '=', userId)
      .where('status', '=', 'pending')
      .executeTakeFirst();
    return row && toRequest(row);
  }

  async listPending(orgId: string) {
    const rows = await this.db
      .selectFrom('org_app_requests')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('status', '=', 'pending')
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map(toRequest);
  }

  async close(orgId: string, appId: string, status: Exclude<ApprovalRequestStatus, 'pending'>, decidedBy: string, now: number) {
    const rows = await this.db
      .updateTable('org_app_requests')
      .set({ status, decided_at: now, decided_by: decidedBy })
      .where('org_id', '=', orgId)
      .where('app_id', '=', appId)
      .where('status', '=', 'pending')
      .returning('user_id')
      .execute();
    return rows.map((r) => r.user_id);
  }
}
