/** Step 1a: the client must be known (RFC 6749 §4.1.2.1: never redirect for an unknown client). */
import type { Deps } from '../../deps.ts';
import type { App } from '../../domain/apps.ts';
import { UnknownClient } from '../errors.ts';

export async function checkClient(deps: Pick<Deps, 'clients'>, clientId: string | undefined): Promise<App> {
  if (!clientId) throw new UnknownClient('client_id missing');
  // Bounded before the lookup: an id of ours is short; a megabyte of id is not worth a query.
  // From the per-process client cache (dropped on every app write, client_auth/client_cache.ts):
  // a read of the app on every authorization request was one of its seven round trips.
  const app = clientId.length <= 200 ? (await deps.clients.get(clientId))?.app : undefined;
  if (!app) throw new UnknownClient('unknown client_id');
  return app;
}
