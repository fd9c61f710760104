import type { Db } from '../database.ts';
import type { OrgInvitationsTable } from '../schema.ts';
import type { Invitation, InvitationStatus, InvitationStore, InvitationWithOrg } from '../../domain/invitations.ts';
import type { Role } from '../../domain/organizations.ts';
import { normalizeEmail } from '../../domain/users.ts';
import { randomId } from '../../crypto/random.ts';
import { isUniqueViolation } from './errors.ts';
import { insertMail } from './outbox.ts';
import type { MailIntent } from '../../domain/mail.ts';

function toInvitation(row: OrgInvitationsTable): Invitation {
  return {
    id: row.id,
    orgId: row.org_id,
    email: row.email,
    role: row.role as Role,
    status: row.status as InvitationStatus,
    invitedBy: row.invited_by,
    createdAt: Number(row.created_at),
    expiresAt: Number(row.expires_at),
    decidedAt: row.decided_at === null ? null : Number(row.decided_at),
    decidedBy: row.decided_by,
  };
}

function withOrg({ org_slug, org_name, ...row }: OrgInvitationsTable & { org_slug: string; org_name: string }): InvitationWithOrg {
  return { ...toInvitation(row), orgSlug: org_slug, orgName: org_name };
}

export class SqlInvitationStore implements InvitationStore {
  constructor(private readonly db: Db) {}

  async invite(input: { orgId: string; email: string; role: Role; invitedBy: string | null; expiresAt: number }, now: number, mail?: MailIntent) {
    const email = normalizeEmail(input.email);
    const renew = { role: input.role, invited_by: input.invitedBy, created_at: now, expires_at: input.expiresAt };
    // Two tries, each one transaction with the mail: a renewal, else a new row; the partial unique
    // index settles two owners inviting at once (the loser's transaction, mail included, rolls back).
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        return await this.db.transaction().execute(async (tx) => {
          const updated = await tx
            .updateTable('org_invitations')
            .set(renew)
            .where('org_id', '=', input.orgId)
            .where('email', '=', email)
            .where('status', '=', 'pending')
            .returningAll()
            .executeTakeFirst();
          const row: OrgInvitationsTable = updated ?? { id: randomId(), org_id: input.orgId, email, status: 'pending', ...renew, decided_at: null, decided_by: null };
          if (!updated) await tx.insertInto('org_invitations').values(row).execute();
          if (mail) await insertMail(tx, mail, now);
          return { invitation: toInvitation(row), renewed: updated !== undefined };
        });
      } catch (err) {
        if (!isUniqueViolation(err)) throw err;
      }
    }
    throw new Error('an invitation kept changing under a concurrent writer');
  }

  async find(id: string) {
    const row = await this.withOrg().where('org_invitations.id', '=', id).executeTakeFirst();
    return row && withOrg(row);
  }

  private withOrg() {
    return this.db
      .selectFrom('org_invitations')
      .innerJoin('organizations', 'organizations.id', 'org_invitations.org_id')
      .selectAll('org_invitations')
      .select(['organizations.slug as org_slug', 'organizations.name as org_name']);
  }

  async listPending(orgId: string, now: number) {
    const rows = await this.db
      .selectFrom('org_invitations')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('status', '=', 'pending')
      .where('expires_at', '>', now)
      // Times are whole seconds: invitations of the same second list by address, not by their random ids.
      .orderBy('created_at')
      .orderBy('email')
      .orderBy('id')
      .execute();
    return rows.map(toInvitation);
  }

  async listPendingFor(email: string, now: number) {
    const rows = await this.withOrg()
      .where('org_invitations.email', '=', normalizeEmail(email))
      .where('org_invitations.status', '=', 'pending')
      .where('org_invitations.expires_at', '>', now)
      .orderBy('org_invitations.created_at')
      .orderBy('org_invitations.id')
      .execute();
    return rows.map(withOrg);
  }

  async accept(id: string, userId: string, now: number) {
    return this.db.transaction().execute(async (tx) => {
      // The conditional update claims the invitation: of two accepts (two tabs, two nodes), one wins.
      const row = await tx
        .updateTable('org_invitations')
        .set({ status: 'accepted', decided_at: now, decided_by: userId })
        .where('id', '=', id)
        .where('status', '=', 'pending')
        .where('expires_at', '>', now)
        .returningAll()
        .executeTakeFirst();
      if (!row) return undefined;
      // As organizations.setMember, except that a member keeps the role they have.
      const inserted = await tx
        .insertInto('memberships')
        .values({ org_id: row.org_id, user_id: userId, role: row.role, created_at: now })
        .onConflict((oc) => oc.columns(['org_id', 'user_id']).doNothing())
        .executeTakeFirst();
      const joined = Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0;
      if (joined) await tx.deleteFrom('former_memberships').where('org_id', '=', row.org_id).where('user_id', '=', userId).execute();
      return { invitation: toInvitation(row), joined };
    });
  }

  async close(id: string, status: 'declined' | 'cancelled', decidedBy: string | null, now: number) {
    const result = await this.db
      .updateTable('org_invitations')
      .set({ status, decided_at: now, decided_by: decidedBy })
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }
}
