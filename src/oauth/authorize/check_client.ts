/** Step 1a: the client must be known (RFC 6749 §4.1.2.1: never redirect for an unknown client). */
import type { Deps } from '../../deps.ts';
import type { App } from '../../domain/apps.ts';
import { UnknownClient } from '../errors.ts';

export async function checkClient(deps: Pick<Deps, 'stores'>, clientId: string | undefined): Promise<App> {
  if (!clientId) throw new UnknownClient('client_id missing');
  // Bounded before the lookup: an id of ours is short; a megabyte of id is not worth a query.
  const app = clientId.length <= 200 ? await deps.stores.apps.find(clientId) : undefined;
  if (!app) throw new UnknownClient('unknown client_id');
  return app;
}
