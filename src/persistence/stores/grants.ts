import type { Db } from '../database.ts';
import type { Transaction } from 'kysely';
import type { AuditEvent } from '../../domain/audit.ts';
import { insertAuditEvent } from './audit.ts';
import { PreparedQuery } from '../prepared.ts';
import { GRANT_COLUMNS } from '../columns.ts';
import type { Database, GrantNarrowingsTable, GrantsTable } from '../schema.ts';
import { parseOrgIds, type Approval, type Grant, type GrantStore, type Narrowing } from '../../domain/grants.ts';
import { grantAfter, type ApprovalTerms, type GrantChange, type GrantOutcome } from '../../domain/approval.ts';
import { randomId } from '../../crypto/random.ts';
import { isUniqueViolation } from './errors.ts';
import { revokeFamiliesOfGrant } from './tokens.ts';
import { insertGrantNarrowedEvent, insertGrantRevokedEvent } from './security_events.ts';
import { CAUSES, type EventCause } from '../../domain/security_events.ts';

/** Organization ids are kept space-separated; NULL means every organization. */
function formatOrgIds(ids: readonly string[] | null): string | null {
  return ids === null ? null : ids.join(' ');
}

function toGrant(row: GrantsTable): Grant {
  return {
    id: row.id,
    userId: row.user_id,
    appId: row.app_id,
    scopes: row.scopes.split(' ').filter(Boolean),
    orgIds: parseOrgIds(row.org_ids),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    lastUsedAt: row.last_used_at,
    lastUsedIp: row.last_used_ip,
    expiresAt: row.expires_at,
  };
}

function toNarrowing(row: GrantNarrowingsTable): Narrowing {
  return {
    grantId: row.grant_id,
    scopes: row.scopes.split(' ').filter(Boolean),
    orgIds: parseOrgIds(row.org_ids),
    narrowedAt: row.narrowed_at,
    expiresAt: row.expires_at,
  };
}

type Tx = Pick<Db, 'insertInto'>;

/** Records (or replaces) what a grant still allows; one row per grant. */
async function recordNarrowing(tx: Tx, grantId: string, scopes: string, orgIds: string | null, now: number, until: number) {
  const row: GrantNarrowingsTable = { grant_id: grantId, scopes, org_ids: orgIds, narrowed_at: now, expires_at: until };
  await tx
    .insertInto('grant_narrowings')
    .values(row)
    .onConflict((oc) => oc.column('grant_id').doUpdateSet({ scopes, org_ids: orgIds, narrowed_at: now, expires_at: until }))
    .execute();
}

/**
 * A widening of a grant that has a narrowing in force: the narrowing now says what the grant allows
 * after the widening, dated now. Access tokens issued up to the narrowing are still cut down to the
 * grant (never beyond it), and one issued after the widening but within the narrowing's second
 * (which cannot be told apart from one issued before it) is no longer cut down to the narrower grant.
 */
async function reviseNarrowing(tx: Transaction<Database>, grantId: string, scopes: string, orgIds: string | null, now: number): Promise<Narrowing | undefined> {
  const row = await tx
    .updateTable('grant_narrowings')
    .set({ scopes, org_ids: orgIds, narrowed_at: now })
    .where('grant_id', '=', grantId)
    .where('expires_at', '>', now)
    .returningAll()
    .executeTakeFirst();
  return row && toNarrowing(row);
}

/**
 * The approval's audit event as its security notice needs it (issue 15): `first` for a new grant,
 * `widened` when a live one gained scopes or organizations (only these two are mailed, so a
 * re-approval that adds nothing tells nobody anything), what the grant now allows (`scopes`) and
 * where (`orgs`: organization names, or null for every organization the person belongs to, as
 * `grants.org_ids` NULL means). Read in the grant's transaction, so it says what was written.
 */
async function approvalEvent(tx: Transaction<Database>, event: AuditEvent, outcome: GrantOutcome, first: boolean): Promise<AuditEvent> {
  let orgs: string[] | null = null;
  if (outcome.orgIds !== null) {
    const rows = outcome.orgIds.length === 0 ? [] : await tx.selectFrom('organizations').select(['id', 'name']).where('id', 'in', outcome.orgIds).execute();
    orgs = outcome.orgIds.flatMap((id) => rows.filter((r) => r.id === id).map((r) => r.name));
  }
  const change = first ? { first: true } : outcome.widened ? { widened: true } : {};
  return { ...event, detail: { ...event.detail, ...change, scopes: outcome.scopes, orgs } };
}

/** Read at every authorization request (persistence/prepared.ts). */
function grantQueries(db: Db) {
  return {
    live: new PreparedQuery(db, (v: { userId: string; appId: string; now: number }) =>
      db
        .selectFrom('grants')
        .select(GRANT_COLUMNS)
        .where('user_id', '=', v.userId)
        .where('app_id', '=', v.appId)
        .where('revoked_at', 'is', null)
        .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', v.now)])),
    ),
  };
}

export class SqlGrantStore implements GrantStore {
  private readonly q: ReturnType<typeof grantQueries>;

  constructor(private readonly db: Db) {
    this.q = grantQueries(db);
  }

  async findLive(userId: string, appId: string, now: number) {
    const row = await this.q.live.first(this.db, { userId, appId, now });
    return row && toGrant(row);
  }

  async findById(id: string) {
    const row = await this.db.selectFrom('grants').selectAll().where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
    return row && toGrant(row);
  }

  async listLive(userId: string, now: number) {
    const rows = await this.db
      .selectFrom('grants')
      .selectAll()
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
      .orderBy('updated_at', 'desc')
      .execute();
    return rows.map(toGrant);
  }

  async approve(userId: string, appId: string, scopes: string[], now: number, terms?: ApprovalTerms & { narrowingUntil: number }, event?: AuditEvent): Promise<Approval> {
    // Approvals racing on one (person, app): a new grant's insert is settled by the unique index, and
    // an extension is a compare-and-set on the row it read (scopes, organizations, end), so neither
    // can drop the other's scopes, a kept dimension is kept as it is when written, and `narrowed` is
    // judged against the row actually replaced (PostgreSQL runs them concurrently under READ
    // COMMITTED). The loser reads again.
    const change: GrantChange = { kind: 'approval', scopes, ...(terms ? { terms } : {}) };
    for (let attempt = 0; attempt < 20; attempt++) {
      try {
        const grant = await this.tryApprove(userId, appId, change, now, terms?.narrowingUntil ?? now, event);
        if (grant) return grant;
      } catch (err) {
        if (!isUniqueViolation(err)) throw err;
      }
    }
    throw new Error('grant approval kept conflicting');
  }

  /** One attempt: undefined when a concurrent approval changed the grant in between. */
  private async tryApprove(userId: string, appId: string, change: GrantChange, now: number, narrowingUntil: number, event: AuditEvent | undefined): Promise<Approval | undefined> {
    const live = await this.db
      .selectFrom('grants')
      .selectAll()
      .where('user_id', '=', userId)
      .where('app_id', '=', appId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (live && live.expires_at !== null && live.expires_at <= now) {
      // An expired grant is never brought back: its old refresh tokens must stay dead. It is
      // closed (freeing the one-live-grant index) and a new grant replaces it.
      await this.db.updateTable('grants').set({ revoked_at: now }).where('id', '=', live.id).where('revoked_at', 'is', null).execute();
      return undefined;
    }
    if (live) {
      const next = await this.replace(live, change, now, narrowingUntil, event);
      return next && { ...toGrant(next.row), narrowed: next.outcome.narrowed };
    }
    const outcome = grantAfter(undefined, change);
    const row: GrantsTable = {
      id: randomId(),
      user_id: userId,
      app_id: appId,
      scopes: outcome.scopes.join(' '),
      created_at: now,
      updated_at: now,
      last_used_at: null,
      last_used_ip: null,
      expires_at: outcome.expiresAt,
      revoked_at: null,
      org_ids: formatOrgIds(outcome.orgIds),
    };
    await this.db.transaction().execute(async (tx) => {
      await tx.insertInto('grants').values(row).execute();
      if (event) await insertAuditEvent(tx, await approvalEvent(tx, event, outcome, true), now);
    });
    return { ...toGrant(row), narrowed: false };
  }

  /**
   * Writes what `change` makes of the live row `live`, as a compare-and-set on the scopes,
   * organizations and end it read, and records a narrowing in the same transaction when something
   * was taken away. Undefined when the row changed in between (or is no longer live).
   */
  private async replace(
    live: GrantsTable,
    change: GrantChange,
    now: number,
    narrowingUntil: number,
    event?: AuditEvent,
  ): Promise<{ row: GrantsTable; outcome: GrantOutcome; revised: Narrowing | undefined } | undefined> {
    const outcome = grantAfter(toGrant(live), change);
    const set = { scopes: outcome.scopes.join(' '), org_ids: formatOrgIds(outcome.orgIds), expires_at: outcome.expiresAt, updated_at: now };
    return this.db.transaction().execute(async (tx) => {
      const result = await tx
        .updateTable('grants')
        .set(set)
        .where('id', '=', live.id)
        .where('revoked_at', 'is', null)
        .where('scopes', '=', live.scopes)
        .where((eb) => (live.org_ids === null ? eb('org_ids', 'is', null) : eb('org_ids', '=', live.org_ids)))
        .where((eb) => (live.expires_at === null ? eb('expires_at', 'is', null) : eb('expires_at', '=', live.expires_at)))
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) return undefined;
      let revised: Narrowing | undefined;
      if (outcome.narrowed) {
        await recordNarrowing(tx, live.id, set.scopes, set.org_ids, now, narrowingUntil);
        // Offline access taken away: its refresh tokens end in the same transaction (domain/approval.ts).
        if (outcome.offlineAccessEnded) await revokeFamiliesOfGrant(tx, live.id, now);
        // CAEP token-claims-change, committed with the narrowing (issue 19).
        await insertGrantNarrowedEvent(tx, { ...live, ...set }, change.kind === 'narrowing' ? CAUSES.userNarrowed : CAUSES.userReapprovedLess, now);
      } else if (outcome.widened) {
        revised = await reviseNarrowing(tx, live.id, set.scopes, set.org_ids, now);
      }
      if (event) await insertAuditEvent(tx, await approvalEvent(tx, event, outcome, false), now);
      return { row: { ...live, ...set }, outcome, revised };
    });
  }

  /** The person's grant by id, if it is live (not revoked, not ended). */
  private liveOf(grantId: string, userId: string, now: number): Promise<GrantsTable | undefined> {
    return this.db
      .selectFrom('grants')
      .selectAll()
      .where('id', '=', grantId)
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
      .executeTakeFirst();
  }

  async narrow(grantId: string, userId: string, scopes: string[], orgIds: string[] | null, now: number, narrowingUntil: number) {
    const change: GrantChange = { kind: 'narrowing', scopes, orgIds };
    for (let attempt = 0; attempt < 20; attempt++) {
      const live = await this.liveOf(grantId, userId, now);
      if (!live) return false;
      // A narrowing that takes nothing away writes nothing either.
      if (!grantAfter(toGrant(live), change).narrowed) return true;
      if (await this.replace(live, change, now, narrowingUntil)) return true;
    }
    throw new Error('grant narrowing kept conflicting');
  }

  async addOrganizations(grantId: string, userId: string, orgIds: string[], now: number, event: AuditEvent) {
    const change: GrantChange = { kind: 'adding_organizations', orgIds };
    for (let attempt = 0; attempt < 20; attempt++) {
      const live = await this.liveOf(grantId, userId, now);
      if (!live) return false;
      // Nothing to add (already covered) writes nothing either.
      if (!grantAfter(toGrant(live), change).widened) return { narrowing: undefined };
      const written = await this.replace(live, change, now, now, event);
      if (written) return { narrowing: written.revised };
    }
    throw new Error('adding organizations to a grant kept conflicting');
  }

  async listNarrowingsSince(since: number, now: number) {
    const rows = await this.db
      .selectFrom('grant_narrowings')
      .selectAll()
      .where('narrowed_at', '>=', since)
      .where('expires_at', '>', now)
      .execute();
    return rows.map(toNarrowing);
  }

  async revoke(grantId: string, now: number, denylistUntil: number, cause: EventCause = CAUSES.unspecified): Promise<boolean> {
    return this.db.transaction().execute(async (tx) => {
      const revoked = await tx
        .updateTable('grants')
        .set({ revoked_at: now, updated_at: now })
        .where('id', '=', grantId)
        .where('revoked_at', 'is', null)
        .returning(['user_id', 'app_id', 'scopes', 'org_ids'])
        .executeTakeFirst();
      if (!revoked) return false;
      // CAEP session-revoked, committed with the revocation whoever asked for it (issue 19).
      await insertGrantRevokedEvent(tx, revoked, cause, now);
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
