/**
 * Security events (domain/security_events.ts), written by the stores that make the change, in the
 * change's own transaction (as stores/session_endings.ts writes logout tokens): a grant revoked
 * (stores/grants.ts revoke), a grant narrowed (its narrowing write), an organization cutting an
 * app off (stores/organizations.ts setAppRule 'blocked', or a stricter setThirdPartyMode). No route can make the change without its event,
 * and a change rolled back takes its event with it. An app without an `ssf_endpoint_url` gets none.
 * @module
 */
import type { Transaction } from 'kysely';
import type { Database } from '../schema.ts';
import { parseOrgIds } from '../../domain/grants.ts';
import { SESSION_REVOKED, TOKEN_CLAIMS_CHANGE, type EventCause, type GrantClaims, type SecurityEventType } from '../../domain/security_events.ts';
import { insertDeliveries } from './outbound_deliveries.ts';

type Tx = Transaction<Database>;

/** A grant as the event needs it: stored columns. */
interface GrantRow {
  user_id: string;
  app_id: string;
  scopes: string;
  org_ids: string | null;
}

async function endpointOf(tx: Tx, appId: string): Promise<string | null> {
  const row = await tx.selectFrom('apps').select('ssf_endpoint_url').where('id', '=', appId).executeTakeFirst();
  return row?.ssf_endpoint_url ?? null;
}

/** What a grant allows now (CAEP §3.2 `claims`); `orgs` absent means every organization. */
export function grantClaims(grant: Pick<GrantRow, 'scopes' | 'org_ids'>): GrantClaims {
  const orgs = parseOrgIds(grant.org_ids);
  return { scope: grant.scopes.split(' ').filter(Boolean).join(' '), ...(orgs === null ? {} : { orgs }) };
}

async function insertEvent(tx: Tx, url: string, grant: GrantRow, event: SecurityEventType, cause: EventCause, now: number, claims?: GrantClaims) {
  await insertDeliveries(
    tx,
    [
      {
        kind: 'security_event',
        appId: grant.app_id,
        userId: grant.user_id,
        url,
        payload: { aud: grant.app_id, sub: grant.user_id, event, eventTimestamp: now, initiatingEntity: cause.initiatingEntity, reasonAdmin: cause.reasonAdmin, ...(claims ? { claims } : {}) },
      },
    ],
    now,
  );
}

/** CAEP `session-revoked` for a grant revoked in `tx`. */
export async function insertGrantRevokedEvent(tx: Tx, grant: GrantRow, cause: EventCause, now: number): Promise<void> {
  const url = await endpointOf(tx, grant.app_id);
  if (url !== null) await insertEvent(tx, url, grant, SESSION_REVOKED, cause, now);
}

/** CAEP `token-claims-change` for a grant narrowed in `tx`; `grant` is the row as now written. */
export async function insertGrantNarrowedEvent(tx: Tx, grant: GrantRow, cause: EventCause, now: number): Promise<void> {
  const url = await endpointOf(tx, grant.app_id);
  if (url !== null) await insertEvent(tx, url, grant, TOKEN_CLAIMS_CHANGE, cause, now, grantClaims(grant));
}

/**
 * An organization's owners cut the app off: `token-claims-change` for every live grant of the app
 * that reached the organization (its organizations name it, or are every organization of a person
 * who is a member), with `orgs_unreachable` naming it. The grant itself is unchanged.
 */
export async function insertCutOffEvents(tx: Tx, orgId: string, appId: string, cause: EventCause, now: number): Promise<number> {
  const url = await endpointOf(tx, appId);
  if (url === null) return 0;
  // The members' grants only: a grant reaches the organization through its member.
  const grants = await tx
    .selectFrom('grants as g')
    .innerJoin('memberships as m', (join) => join.onRef('m.user_id', '=', 'g.user_id').on('m.org_id', '=', orgId))
    .select(['g.user_id', 'g.app_id', 'g.scopes', 'g.org_ids'])
    .where('g.app_id', '=', appId)
    .where('g.revoked_at', 'is', null)
    .where((eb) => eb.or([eb('g.expires_at', 'is', null), eb('g.expires_at', '>', now)]))
    .execute();
  const reached = grants.filter((g) => parseOrgIds(g.org_ids)?.includes(orgId) ?? true);
  await insertDeliveries(
    tx,
    reached.map((grant) => ({
      kind: 'security_event' as const,
      appId,
      userId: grant.user_id,
      url,
      payload: {
        aud: appId,
        sub: grant.user_id,
        event: TOKEN_CLAIMS_CHANGE,
        eventTimestamp: now,
        initiatingEntity: cause.initiatingEntity,
        reasonAdmin: cause.reasonAdmin,
        claims: { ...grantClaims(grant), orgs_unreachable: [orgId] },
      },
    })),
    now,
  );
  return reached.length;
}

/**
 * An organization's mode turned stricter: `token-claims-change` (as a cut-off) for the grants of
 * every app with an endpoint that reached the organization through a member and that `cutOff`
 * says the new mode keeps out.
 */
export async function insertPolicyCutOffEvents(tx: Tx, orgId: string, cutOff: (appId: string) => boolean, cause: EventCause, now: number): Promise<number> {
  const apps = await tx
    .selectFrom('grants as g')
    .innerJoin('memberships as m', (join) => join.onRef('m.user_id', '=', 'g.user_id').on('m.org_id', '=', orgId))
    .innerJoin('apps as a', 'a.id', 'g.app_id')
    .select('g.app_id')
    .distinct()
    .where('a.ssf_endpoint_url', 'is not', null)
    .where('g.revoked_at', 'is', null)
    .execute();
  let written = 0;
  for (const { app_id } of apps) if (cutOff(app_id)) written += await insertCutOffEvents(tx, orgId, app_id, cause, now);
  return written;
}
