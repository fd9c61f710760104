/**
 * The organization's third-party policy from the settings page: the mode, one service's standing
 * (approve, withdraw an approval, cut off, restore) and the owners' answer to members' approval
 * requests. Each change goes through services/org_admin.ts, which audits it and tells every node, so
 * the API applies it at the next call (SECURITY 25).
 * @module
 */
import type { Deps } from '../../deps.ts';
import type { PolicyAdmin, RequestAnswerer } from '../../services/org_admin.ts';
import type { Organization } from '../../domain/organizations.ts';
import { answerAppRequests, changeThirdPartyMode, setAppRule, thirdPartyModeImpact } from '../../services/org_admin.ts';
import { THIRD_PARTY_MODES } from '../../domain/policies.ts';
import type { Outcome } from './members.ts';

export const APP_ACTIONS = ['approve', 'withdraw', 'block', 'restore'] as const;
export type AppAction = (typeof APP_ACTIONS)[number];

/**
 * A new mode. When it would stop services acting for members, the owner first sees which and for
 * whom (issue 20: "This stops 2 services used by 3 members"), and saves from there (`confirm`);
 * saving tells those members (services/org_admin.ts `changeThirdPartyMode`).
 */
export async function changePolicy(admin: PolicyAdmin, org: Organization, raw: string | undefined, confirm: string | undefined): Promise<Outcome> {
  const mode = THIRD_PARTY_MODES.find((m) => m === raw);
  if (!mode) return { problem: 'Choose who may act in this organization.', status: 400 };
  if (confirm !== 'yes') {
    const impact = await thirdPartyModeImpact(admin, org, mode);
    if (impact.appIds.length > 0) {
      const services = impact.appIds.map((id) => ({ name: impact.names.get(id)!, people: new Set(impact.stopped.filter((g) => g.appId === id).map((g) => g.userId)).size }));
      return { confirm: { mode, services: services.sort((a, b) => a.name.localeCompare(b.name)), people: impact.userIds.length } };
    }
  }
  await changeThirdPartyMode(admin, org, mode);
  return { done: 'policy' };
}

/**
 * `approve` lets the service act under "approved only" and answers members' pending requests;
 * `block` cuts it off whatever the mode (and closes pending requests as denied); `withdraw` and
 * `restore` clear its standing, as `tessera org withdraw-app` does.
 */
export async function changeApp(deps: Deps, admin: RequestAnswerer, org: Organization, clientId: string | undefined, raw: string | undefined): Promise<Outcome> {
  const action = APP_ACTIONS.find((a) => a === raw);
  const app = clientId === undefined ? undefined : await deps.stores.apps.find(clientId);
  if (!action || !app) return { problem: 'That service or action is unknown. Reload the page and try again.', status: 400 };
  if (action === 'approve') {
    await setAppRule(admin, org, app.id, 'approved');
    await answerAppRequests(admin, org, app, 'approved');
    return { done: 'approved' };
  }
  if (action === 'block') {
    await setAppRule(admin, org, app.id, 'blocked');
    await answerAppRequests(admin, org, app, 'denied');
    return { done: 'blocked' };
  }
  await setAppRule(admin, org, app.id, undefined);
  return { done: action === 'withdraw' ? 'withdrawn' : 'restored' };
}

/** The owners' answer to the pending requests for one service. */
export async function answerRequests(deps: Deps, admin: RequestAnswerer, org: Organization, clientId: string | undefined, decision: string | undefined): Promise<Outcome> {
  if (decision === 'approve') return changeApp(deps, admin, org, clientId, 'approve');
  const app = clientId === undefined ? undefined : await deps.stores.apps.find(clientId);
  if (decision !== 'deny' || !app) return { problem: 'That request or answer is unknown. Reload the page and try again.', status: 400 };
  const closed = await answerAppRequests(admin, org, app, 'denied');
  if (closed > 0) {
    await deps.stores.audit.record({ type: 'org_app.request_denied', userId: admin.actorUserId ?? null, appId: app.id, detail: { via: admin.via, org: org.slug, requests: closed } }, admin.now);
  }
  return { done: 'denied' };
}
