/**
 * Step 1a: the client must be known (RFC 6749 §4.1.2.1: never redirect for an unknown client), and
 * not suspended by the platform (issue 21: a plain page, no redirect, no code).
 */
import type { Deps } from '../../deps.ts';
import type { App } from '../../domain/apps.ts';
import { AppSuspended, UnknownClient } from '../errors.ts';

export async function checkClient(deps: Pick<Deps, 'clients' | 'suspensions'>, clientId: string | undefined): Promise<App> {
  if (!clientId) throw new UnknownClient('client_id missing');
  // Bounded before the lookup: an id of ours is short; a megabyte of id is not worth a query.
  // From the per-process client cache (dropped on every app write, client_auth/client_cache.ts):
  // a read of the app on every authorization request was one of its seven round trips.
  const app = clientId.length <= 200 ? (await deps.clients.get(clientId))?.app : undefined;
  if (!app) throw new UnknownClient('unknown client_id');
  refuseSuspendedApp(deps, app.id);
  return app;
}

/** Issue 21, at /authorize and wherever a code or grant would come of it: a plain page, never a code. */
export function refuseSuspendedApp(deps: Pick<Deps, 'suspensions'>, appId: string): void {
  if (deps.suspensions.isSuspended(appId)) throw new AppSuspended('app suspended');
}
