/**
 * One person as an operator sees them (issue 21): the account, live sessions, live grants with
 * their apps and organizations, factors (never a secret, a hash or a code), memberships and the
 * newest audit events. Read with a handful of indexed queries, each bounded.
 * @module
 */
import type { Db } from '../database.ts';
import type { PersonDetails } from '../../domain/operator_reads.ts';
import type { Role } from '../../domain/organizations.ts';
import { parseOrgIds } from '../../domain/grants.ts';
import { parseDetail } from './audit.ts';

/** Enough of the session id (a SHA-256 digest, base64url) to tell sessions apart; far too little to find one by. */
const SESSION_ID_PREFIX = 8;
/** A person rarely has more; the console shows these and says so. */
const MAX_ROWS = 100;

function amrOf(text: string): string[] {
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  } catch {
    return [];
  }
}

export async function personDetails(db: Db, userId: string, now: number, events: number): Promise<PersonDetails | undefined> {
  const user = await db
    .selectFrom('users as u')
    .select(['u.id', 'u.email', 'u.name', 'u.kind', 'u.created_at', 'u.disabled_at', 'u.platform_operator_at', 'u.email_verified_at', 'u.password_hash'])
    .select((eb) => eb.selectFrom('sessions as s').select((e) => e.fn.max('s.created_at').as('m')).whereRef('s.user_id', '=', 'u.id').as('last_sign_in_at'))
    .where('u.id', '=', userId)
    .executeTakeFirst();
  if (!user) return undefined;
  const [sessions, grants, totp, recovery, passkeys, memberships, audit] = await Promise.all([
    db
      .selectFrom('sessions')
      .select(['id', 'created_at', 'last_seen_at', 'ip', 'user_agent', 'amr'])
      .where('user_id', '=', userId)
      .where('ended_at', 'is', null)
      .where('expires_at', '>', now)
      .orderBy('last_seen_at', 'desc')
      .limit(MAX_ROWS)
      .execute(),
    db
      .selectFrom('grants as g')
      .innerJoin('apps as a', 'a.id', 'g.app_id')
      .select(['g.app_id', 'a.name', 'g.scopes', 'g.org_ids', 'g.created_at', 'g.last_used_at'])
      .where('g.user_id', '=', userId)
      .where('g.revoked_at', 'is', null)
      .where((eb) => eb.or([eb('g.expires_at', 'is', null), eb('g.expires_at', '>', now)]))
      .orderBy('g.created_at', 'desc')
      .orderBy('g.app_id')
      .limit(MAX_ROWS)
      .execute(),
    db.selectFrom('user_totp').select('enabled_at').where('user_id', '=', userId).executeTakeFirst(),
    db.selectFrom('recovery_codes').select((eb) => eb.fn.countAll<number>().as('n')).where('user_id', '=', userId).where('used_at', 'is', null).executeTakeFirstOrThrow(),
    db.selectFrom('passkeys').select(['name', 'created_at', 'last_used_at']).where('user_id', '=', userId).orderBy('created_at').orderBy('id').limit(MAX_ROWS).execute(),
    db
      .selectFrom('memberships as m')
      .innerJoin('organizations as o', 'o.id', 'm.org_id')
      .select(['o.id', 'o.slug', 'o.name', 'm.role'])
      .where('m.user_id', '=', userId)
      .orderBy('o.slug')
      .limit(MAX_ROWS)
      .execute(),
    db
      .selectFrom('audit_events')
      .select(['id', 'at', 'type', 'user_id', 'app_id', 'ip', 'detail'])
      .where('user_id', '=', userId)
      .orderBy('at', 'desc')
      .orderBy('id', 'desc')
      .limit(events)
      .execute(),
  ]);
  const orgIds = [...new Set(grants.flatMap((g) => parseOrgIds(g.org_ids) ?? []))];
  const orgNames = new Map((orgIds.length === 0 ? [] : await db.selectFrom('organizations').select(['id', 'name']).where('id', 'in', orgIds).execute()).map((o) => [o.id, o.name]));
  return {
    person: {
      id: user.id,
      email: user.email,
      name: user.name,
      kind: user.kind,
      createdAt: Number(user.created_at),
      disabledAt: user.disabled_at === null ? null : Number(user.disabled_at),
      platformOperatorAt: user.platform_operator_at === null ? null : Number(user.platform_operator_at),
      lastSignInAt: user.last_sign_in_at === null || user.last_sign_in_at === undefined ? null : Number(user.last_sign_in_at),
      emailVerifiedAt: user.email_verified_at === null ? null : Number(user.email_verified_at),
    },
    sessions: sessions.map((s) => ({
      idPrefix: s.id.slice(0, SESSION_ID_PREFIX),
      createdAt: Number(s.created_at),
      lastSeenAt: Number(s.last_seen_at),
      ip: s.ip,
      userAgent: s.user_agent,
      amr: amrOf(s.amr),
    })),
    grants: grants.map((g) => {
      const ids = parseOrgIds(g.org_ids);
      return {
        clientId: g.app_id,
        appName: g.name,
        scopes: g.scopes.split(' ').filter(Boolean),
        // An organization deleted since keeps its id, shown without a name.
        orgs: ids === null ? null : ids.map((id) => ({ id, name: orgNames.get(id) ?? id })),
        createdAt: Number(g.created_at),
        lastUsedAt: g.last_used_at === null ? null : Number(g.last_used_at),
      };
    }),
    factors: {
      password: user.password_hash !== null,
      totp: totp !== undefined && totp.enabled_at !== null,
      recoveryCodesLeft: Number(recovery.n),
      passkeys: passkeys.map((p) => ({ name: p.name, createdAt: Number(p.created_at), lastUsedAt: p.last_used_at === null ? null : Number(p.last_used_at) })),
    },
    organizations: memberships.map((m) => ({ id: m.id, slug: m.slug, name: m.name, role: m.role as Role })),
    events: audit.map((e) => ({
      id: Number(e.id),
      at: Number(e.at),
      type: e.type,
      userId: e.user_id,
      userEmail: user.email,
      appId: e.app_id,
      ip: e.ip,
      detail: parseDetail(e.detail),
    })),
  };
}
