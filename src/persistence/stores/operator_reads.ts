/**
 * The operator's reads of people and services (issue 21; domain/operator_reads.ts). Pages follow
 * (created_at, id) newest first and continue after the last row's key: keyset pagination, never
 * OFFSET. Each page asks for one row more than it shows, so the caller knows whether another
 * follows without a count.
 * @module
 */
import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../database.ts';
import type { OperatorReadStore, OrgRow, OrgsQuery, PageKey, PeopleQuery, PersonDetails, PersonRow, ServiceRow, ServicesQuery } from '../../domain/operator_reads.ts';
import { containsIgnoringCase } from './like.ts';
import { personDetails } from './operator_person.ts';

/** Rows after `key` in the order (created_at desc, id desc); `table` is our own alias, never input. */
function afterKey(table: 'u' | 'a' | 'o', key: PageKey): RawBuilder<boolean> {
  const created = sql.ref(`${table}.created_at`);
  const id = sql.ref(`${table}.id`);
  return sql<boolean>`(${created} < ${key.createdAt} or (${created} = ${key.createdAt} and ${id} < ${key.id}))`;
}

/** A grant (aliased `g`) that is live: not revoked, not expired. One live grant per person and app (index grants_live_user_app). */
function liveGrant(now: number): RawBuilder<boolean> {
  return sql<boolean>`(g.revoked_at is null and (g.expires_at is null or g.expires_at > ${now}))`;
}

export class SqlOperatorReads implements OperatorReadStore {
  constructor(private readonly db: Db) {}

  async searchPeople(query: PeopleQuery): Promise<PersonRow[]> {
    let select = this.db
      .selectFrom('users as u')
      .select(['u.id', 'u.email', 'u.name', 'u.kind', 'u.created_at', 'u.disabled_at', 'u.platform_operator_at'])
      // One indexed lookup per row of the page (sessions_user), not a scan.
      .select((eb) => eb.selectFrom('sessions as s').select((e) => e.fn.max('s.created_at').as('m')).whereRef('s.user_id', '=', 'u.id').as('last_sign_in_at'));
    const text = query.query;
    if (text !== undefined) select = select.where((eb) => eb.or([containsIgnoringCase('u.email', text), containsIgnoringCase('u.name', text)]));
    if (query.disabled !== undefined) select = select.where('u.disabled_at', query.disabled ? 'is not' : 'is', null);
    if (query.operators !== undefined) select = select.where('u.platform_operator_at', query.operators ? 'is not' : 'is', null);
    if (query.after) select = select.where(afterKey('u', query.after));
    const rows = await select.orderBy('u.created_at', 'desc').orderBy('u.id', 'desc').limit(query.limit + 1).execute();
    return rows.map((r) => ({
      id: r.id,
      email: r.email,
      name: r.name,
      kind: r.kind,
      createdAt: Number(r.created_at),
      disabledAt: r.disabled_at === null ? null : Number(r.disabled_at),
      platformOperatorAt: r.platform_operator_at === null ? null : Number(r.platform_operator_at),
      lastSignInAt: r.last_sign_in_at === null || r.last_sign_in_at === undefined ? null : Number(r.last_sign_in_at),
    }));
  }

  async searchServices(query: ServicesQuery, now: number): Promise<ServiceRow[]> {
    let select = this.db
      .selectFrom('apps as a')
      .leftJoin('app_suspensions as s', (join) => join.onRef('s.app_id', '=', 'a.id').on('s.lifted_at', 'is', null))
      .select(['a.id', 'a.name', 'a.publisher', 'a.verified', 'a.created_at', 's.reason', 's.suspended_at'])
      .select((eb) =>
        eb
          .case()
          .when('a.owner_user_id', 'is not', null)
          .then(sql<number>`1`)
          .when('a.owner_org_id', 'is not', null)
          .then(eb.selectFrom('memberships as m').select((e) => e.fn.countAll<number>().as('n')).whereRef('m.org_id', '=', 'a.owner_org_id').where('m.role', '=', 'owner'))
          .else(sql<number>`0`)
          .end()
          .as('owners'),
      )
      .select((eb) => eb.selectFrom('grants as g').select((e) => e.fn.countAll<number>().as('n')).whereRef('g.app_id', '=', 'a.id').where(liveGrant(now)).as('people'));
    const text = query.query;
    if (text !== undefined) {
      select = select.where((eb) =>
        eb.or([containsIgnoringCase('a.name', text), containsIgnoringCase('a.publisher', text), containsIgnoringCase('a.id', text)]),
      );
    }
    if (query.suspended !== undefined) select = select.where('s.app_id', query.suspended ? 'is not' : 'is', null);
    if (query.verified !== undefined) select = select.where('a.verified', '=', query.verified ? 1 : 0);
    if (query.after) select = select.where(afterKey('a', query.after));
    const rows = await select.orderBy('a.created_at', 'desc').orderBy('a.id', 'desc').limit(query.limit + 1).execute();
    return rows.map((r) => ({
      clientId: r.id,
      name: r.name,
      company: r.publisher,
      verified: Number(r.verified) === 1,
      suspension: r.reason === null || r.suspended_at === null ? null : { reason: r.reason, since: Number(r.suspended_at) },
      owners: Number(r.owners ?? 0),
      people: Number(r.people ?? 0),
      createdAt: Number(r.created_at),
    }));
  }

  async searchOrgs(query: OrgsQuery): Promise<OrgRow[]> {
    let select = this.db
      .selectFrom('organizations as o')
      .select(['o.id', 'o.slug', 'o.name', 'o.created_at'])
      .select((eb) => eb.selectFrom('memberships as m').select((e) => e.fn.countAll<number>().as('n')).whereRef('m.org_id', '=', 'o.id').as('members'));
    const text = query.query;
    if (text !== undefined) select = select.where((eb) => eb.or([containsIgnoringCase('o.name', text), containsIgnoringCase('o.slug', text)]));
    if (query.after) select = select.where(afterKey('o', query.after));
    const rows = await select.orderBy('o.created_at', 'desc').orderBy('o.id', 'desc').limit(query.limit + 1).execute();
    return rows.map((r) => ({ id: r.id, slug: r.slug, name: r.name, members: Number(r.members ?? 0), createdAt: Number(r.created_at) }));
  }

  personDetails(userId: string, now: number, events: number): Promise<PersonDetails | undefined> {
    return personDetails(this.db, userId, now, events);
  }

  async ownerEmails(appId: string): Promise<string[]> {
    const app = await this.db.selectFrom('apps').select(['owner_user_id', 'owner_org_id']).where('id', '=', appId).executeTakeFirst();
    if (!app) return [];
    if (app.owner_user_id !== null) {
      const owner = await this.db.selectFrom('users').select('email').where('id', '=', app.owner_user_id).executeTakeFirst();
      return owner ? [owner.email] : [];
    }
    if (app.owner_org_id === null) return [];
    const rows = await this.db
      .selectFrom('memberships as m')
      .innerJoin('users as u', 'u.id', 'm.user_id')
      .select('u.email')
      .where('m.org_id', '=', app.owner_org_id)
      .where('m.role', '=', 'owner')
      .orderBy('u.email')
      .execute();
    return rows.map((r) => r.email);
  }
}
