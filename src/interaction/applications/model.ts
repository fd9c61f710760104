/**
 * What "Manage applications" shows of a grant, in the person's words: the service, what it may do,
 * where, since when, when it last acted. Read from the stores; nothing here writes.
 * @module
 */
import type { Deps } from '../../deps.ts';
import type { Grant } from '../../domain/grants.ts';
import type { Reach } from '../../domain/organizations.ts';
import { utcDay } from '../../domain/grant_activity.ts';
import { SCOPES } from '../../domain/scopes.ts';
import { appIdentity } from '../views/app_identity.tsx';
import { formatDate, formatTime } from '../../domain/dates.ts';
import type { ActivityDay, GrantSummary, ScopeText } from './view.tsx';

/** Days of activity shown on a grant's page. */
export const ACTIVITY_DAYS = 14;
const SHOWN_ACTIONS = 10;

export function scopeTexts(scopes: string[]): ScopeText[] {
  return scopes.map((scope) => ({
    scope,
    description: SCOPES[scope]?.description ?? scope,
    highPrivilege: SCOPES[scope]?.highPrivilege ?? false,
  }));
}

/** Organization id → name, for every organization the person is or was in. */
export function orgNames(reach: Reach): Map<string, string> {
  return new Map([...reach.former.map((o) => [o.id, o.name] as const), ...reach.current.map((m) => [m.org.id, m.org.name] as const)]);
}

function organizationsText(grant: Grant, names: Map<string, string>): string {
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
      scopes: scopeTexts(grant.scopes),
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

/** Calls per day over the last ACTIVITY_DAYS days, today last, with the days without calls. */
export async function activity(deps: Pick<Deps, 'stores' | 'clock'>, grantId: string) {
  const now = deps.clock.now();
  const days = Array.from({ length: ACTIVITY_DAYS }, (_, i) => utcDay(now - (ACTIVITY_DAYS - 1 - i) * 86_400));
  const [counted, actions] = await Promise.all([
    deps.stores.grantActivity.dailyCalls(grantId, days[0]!),
    deps.stores.grantActivity.recentActions(grantId, SHOWN_ACTIONS),
  ]);
  const byDay = new Map(counted.map((d) => [d.day, d.calls]));
  const series: ActivityDay[] = days.map((day) => ({ day, calls: byDay.get(day) ?? 0 }));
  return {
    days: series,
    maxCalls: Math.max(0, ...series.map((d) => d.calls)),
    actions: actions.map((a) => ({ at: formatTime(a.at), method: a.method, path: a.path, status: a.status, ip: a.ip })),
  };
}
