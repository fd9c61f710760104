/**
 * What "Manage applications" shows of a grant, in the person's words: the service, what it may do,
 * where, since when, when it last acted. Read from the stores; nothing here writes.
 * @module
 */
import type { Deps } from '../../deps.ts';
import type { Grant } from '../../domain/grants.ts';
import type { Reach } from '../../domain/organizations.ts';
import { utcDay, type CallKindCount } from '../../domain/grant_activity.ts';
import { describeCall } from '../../domain/api_calls.ts';
import { appIdentity } from '../views/app_identity.tsx';
import { ACTIVITY_PERIOD_DAYS, formatDate, formatTime } from '../../domain/dates.ts';
import type { ActionKind, GrantSummary } from './view.tsx';
import { grantLifetime, scopeTexts } from '../views/scope_lines.tsx';
import type { DayValue } from '../views/day_chart.tsx';

/** The newest calls listed one by one, under the sentences. */
const SHOWN_ACTIONS = 10;

/** Organization id → name, for every organization the person is or was in. */
export function orgNames(reach: Reach): Map<string, string> {
  return new Map([...reach.former.map((o) => [o.id, o.name] as const), ...reach.current.map((m) => [m.org.id, m.org.name] as const)]);
}

/** Where a grant reaches, in words (also the approval page's "You already allowed"). */
export function organizationsText(grant: Pick<Grant, 'orgIds'>, names: Map<string, string>): string {
  if (grant.orgIds === null) return 'All your organizations, including ones you join later';
  if (grant.orgIds.length === 0) return 'No organization';
  return grant.orgIds.map((id) => names.get(id) ?? 'An organization you left').join(', ');
}

/** The grants' summaries, each with its app, naming organizations from the person's reach; a grant whose app is gone is left out. */
export async function summarize(deps: Pick<Deps, 'stores' | 'config' | 'suspensions'>, reach: Reach, grants: Grant[]): Promise<GrantSummary[]> {
  const names = orgNames(reach);
  const apps = await Promise.all(grants.map((g) => deps.stores.apps.find(g.appId)));
  const devices = await deps.stores.deviceAuthorizations.devicesOfGrants(grants.map((g) => g.id));
  return grants.flatMap((grant, i) => {
    const app = apps[i];
    if (!app) return [];
    const summary: GrantSummary = {
      id: grant.id,
      app: appIdentity(deps.config.issuer, app),
      scopes: scopeTexts(grant.scopes, grantLifetime(grant)),
      organizations: organizationsText(grant, names),
      approvedOn: formatDate(grant.createdAt),
      lastUsed: grant.lastUsedAt === null ? 'Never' : `${formatTime(grant.lastUsedAt)}${grant.lastUsedIp ? ` from ${grant.lastUsedIp}` : ''}`,
    };
    if (grant.expiresAt !== null) summary.expires = formatDate(grant.expiresAt);
    if (deps.suspensions.isSuspended(app.id)) summary.suspended = true;
    const device = devices.get(grant.id);
    if (device) summary.device = device;
    return [summary];
  });
}

/**
 * The service's calls over the activity period as one sentence per kind of action and
 * organization, busiest today first: "Read work items in Acme: 7 times today, 31 in 30 days"
 * (issue 20). Counted by the usage recorder for every call (grant_call_kinds), so the figures are
 * whole, not a sample of the newest calls. A refused call is counted without its organization
 * (jobs/usage_recorder.ts says why).
 */
export function actionKinds(counts: readonly CallKindCount[], today: string, orgNamesBySlug: ReadonlyMap<string, string>): ActionKind[] {
  const kinds = new Map<string, ActionKind & { latest: number }>();
  for (const c of counts) {
    // The route's pattern, not the path called: its fixed segments say what was done.
    const action = c.route === '' ? 'Called an address that does not exist' : describeCall(c.method, c.route).action;
    const sentence = c.org === '' ? action : `${action} in ${orgNamesBySlug.get(c.org) ?? c.org}`;
    const kind = kinds.get(sentence) ?? { sentence, today: 0, period: 0, refused: 0, last: '', latest: 0 };
    if (c.day === today) kind.today += c.calls;
    kind.period += c.calls;
    kind.refused += c.refused;
    if (c.lastAt > kind.latest) Object.assign(kind, { latest: c.lastAt, last: formatTime(c.lastAt) });
    kinds.set(sentence, kind);
  }
  return [...kinds.values()]
    .sort((x, y) => y.today - x.today || y.period - x.period || y.latest - x.latest)
    .map(({ latest: _latest, ...kind }) => kind);
}

/** Calls per day over the activity period (today last, days without calls as 0), the calls by kind in words, and the newest few as they were made. */
export async function activity(deps: Pick<Deps, 'stores' | 'clock'>, reach: Reach, grantId: string) {
  const now = deps.clock.now();
  const days = Array.from({ length: ACTIVITY_PERIOD_DAYS }, (_, i) => utcDay(now - (ACTIVITY_PERIOD_DAYS - 1 - i) * 86_400));
  const [counted, kinds, actions] = await Promise.all([
    deps.stores.grantActivity.dailyCalls(grantId, days[0]!),
    deps.stores.grantActivity.callKinds(grantId, days[0]!),
    deps.stores.grantActivity.recentActions(grantId, SHOWN_ACTIONS),
  ]);
  const byDay = new Map(counted.map((d) => [d.day, d.calls]));
  const series: DayValue[] = days.map((day) => ({ day, value: byDay.get(day) ?? 0 }));
  const slugs = new Map([...reach.former.map((o) => [o.slug, o.name] as const), ...reach.current.map((m) => [m.org.slug, m.org.name] as const)]);
  return {
    days: series,
    kinds: actionKinds(kinds, days[days.length - 1]!, slugs),
    actions: actions.slice(0, SHOWN_ACTIONS).map((a) => ({ at: formatTime(a.at), method: a.method, path: a.path, status: a.status, ip: a.ip })),
  };
}
