/**
 * The kill switch (issue 21): a service an operator suspended is refused everywhere — its access
 * tokens, refresh tokens, codes, client authentication and authorization requests — while the
 * people's grants are kept. Unsuspending brings the grants back, but access tokens issued up to
 * the suspension stay refused.
 * @module
 */
import type { AuditEvent } from './audit.ts';

/** Longest reason an operator may give (it is shown to the app's owners). */
export const MAX_SUSPENSION_REASON = 500;

export interface AppSuspension {
  appId: string;
  /** When it was (last) suspended, epoch seconds. */
  suspendedAt: number;
  reason: string;
  /** When the suspension was lifted; null while it holds. */
  liftedAt: number | null;
  /** When this row last changed, for the periodic sync. */
  changedAt: number;
}

/** Why an access token of the app is refused, if it is. */
export type SuspensionRefusal = 'app_suspended' | 'issued_before_suspension';

/**
 * The one rule: a suspended app refuses everything; once lifted, access tokens issued up to the
 * suspension stay dead. Times are whole seconds: a token issued in the second of the lift was
 * issued after it (nothing is issued while suspended), so a suspension lifted within its own
 * second never kills the tokens the service gets right after.
 */
export function suspensionRefusal(suspension: AppSuspension | undefined, issuedAt?: number): SuspensionRefusal | undefined {
  if (!suspension) return undefined;
  if (suspension.liftedAt === null) return 'app_suspended';
  if (issuedAt !== undefined && issuedAt <= suspension.suspendedAt && issuedAt < suspension.liftedAt) return 'issued_before_suspension';
  return undefined;
}

export interface AppSuspensionStore {
  /** Suspends the app (again) and records `event` in the same transaction; undefined for an unknown app. */
  suspend(appId: string, reason: string, now: number, event: AuditEvent): Promise<AppSuspension | undefined>;
  /** Lifts a suspension that holds, recording `event` in the same transaction; undefined when none holds. */
  lift(appId: string, now: number, event: AuditEvent): Promise<AppSuspension | undefined>;
  find(appId: string): Promise<AppSuspension | undefined>;
  /** Rows changed at or after `since` (all rows for 0). */
  listChangedSince(since: number): Promise<AppSuspension[]>;
}
