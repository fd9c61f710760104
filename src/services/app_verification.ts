/**
 * The publisher's verified mark (shown on the approval page): set or withdrawn by an operator,
 * from the CLI (`tessera app verify [--revoke]`) or the console (/admin/services/{id}), and only
 * here, each with its audit event (`app.verified` / `app.unverified`) naming who acted.
 * @module
 */
import type { Stores } from '../domain/stores.ts';
import type { App } from '../domain/apps.ts';
import { actorDetail, type Actor } from '../domain/audit.ts';

/** Marks (or unmarks) the app's publisher verified; undefined for an unknown app. */
export async function setPublisherVerified(
  deps: { stores: Pick<Stores, 'apps' | 'audit'> },
  appId: string,
  verified: boolean,
  now: number,
  actor: Actor,
): Promise<App | undefined> {
  const app = await deps.stores.apps.find(appId);
  if (!app) return undefined;
  await deps.stores.apps.setVerified(app.id, verified);
  await deps.stores.audit.record({ type: verified ? 'app.verified' : 'app.unverified', userId: actor.userId ?? null, appId: app.id, detail: actorDetail(actor) }, now);
  return { ...app, verified };
}
