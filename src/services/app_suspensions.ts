/**
 * The kill switch (issue 21): suspend a service everywhere, or lift its suspension. The one way
 * either is written: the row and its audit event in one transaction (persistence/stores/
 * app_suspensions.ts), announced on the change feed once committed (caches/suspended_apps.ts,
 * `announcingSuspensionStore`), so every node refuses the app at once. People's grants are kept.
 * @module
 */
import type { Stores } from '../domain/stores.ts';
import { actorDetail, type Actor } from '../domain/audit.ts';
import { MAX_SUSPENSION_REASON, type AppSuspension } from '../domain/app_suspensions.ts';

/**
 * Who did it, recorded with the event: the CLI, or an operator in the console (`via: 'admin'`,
 * `userId`: the operator, also the event's user).
 */
export type SuspensionActor = Actor;

export type SuspendOutcome = { kind: 'suspended'; suspension: AppSuspension } | { kind: 'unknown_app' } | { kind: 'bad_reason' };

export async function suspendApp(deps: { stores: Pick<Stores, 'appSuspensions'> }, appId: string, reason: string, now: number, actor: SuspensionActor): Promise<SuspendOutcome> {
  const trimmed = reason.trim();
  if (trimmed.length === 0 || trimmed.length > MAX_SUSPENSION_REASON) return { kind: 'bad_reason' };
  const event = { type: 'app.suspended', userId: actor.userId ?? null, appId, detail: { ...actorDetail(actor), reason: trimmed } };
  const suspension = await deps.stores.appSuspensions.suspend(appId, trimmed, now, event);
  return suspension ? { kind: 'suspended', suspension } : { kind: 'unknown_app' };
}

/** Lifts the suspension; undefined when none holds. Access tokens issued up to it stay refused. */
export async function unsuspendApp(deps: { stores: Pick<Stores, 'appSuspensions'> }, appId: string, now: number, actor: SuspensionActor): Promise<AppSuspension | undefined> {
  const event = { type: 'app.unsuspended', userId: actor.userId ?? null, appId, detail: actorDetail(actor) };
  return deps.stores.appSuspensions.lift(appId, now, event);
}
