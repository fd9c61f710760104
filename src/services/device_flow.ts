/**
 * A person's decision on a device flow request (RFC 8628 §3.3, issue 17), whichever page asks:
 * the rules of the approval page (services/interactions.ts) apply. Approving needs a recent
 * sign-in always (a phished code is approved by someone who did not start it, so the page asks
 * who they are now), and the step-up rule's second factor for high-privilege scopes; the grant is
 * written by the grant store exactly as the approval page writes it (`grantAfter`), with its
 * `grant.approved` event in its transaction; then the request is bound to it, once.
 * @module
 */
import type { Deps } from '../deps.ts';
import type { ApprovalChoice } from '../domain/approval.ts';
import type { AuditEvent } from '../domain/audit.ts';
import type { DeviceAuthorization } from '../domain/device_authorizations.ts';
import { randomId } from '../crypto/random.ts';
import { signedInRecently, type SignedIn } from './accounts/sessions.ts';
import { approvalStepUp, type StepUp } from './interactions.ts';

export type DeviceDecision =
  /** Approving needs a new sign-in first: nothing was granted. */
  | { kind: 'step_up'; reason: StepUp }
  /** Decided before (by this person or another), or expired meanwhile: nothing changed. */
  | { kind: 'gone' }
  | { kind: 'approved'; grantId: string }
  | { kind: 'denied' };

type DeviceDeps = Pick<Deps, 'config' | 'clock' | 'stores' | 'revoker' | 'accounts'>;

/** True while the request can still be decided. */
export function isOpen(device: DeviceAuthorization, now: number): boolean {
  return device.status === 'pending' && now < device.expiresAt;
}

/**
 * `choice` undefined means Deny. `shownScopes`: what the page showed, as for `decideApproval`.
 * `event` is the `grant.approved` event recorded with the grant.
 */
export async function decideDevice(
  deps: DeviceDeps,
  decision: { device: DeviceAuthorization; signedIn: SignedIn; shownScopes: readonly string[]; choice: ApprovalChoice | undefined; event: AuditEvent },
): Promise<DeviceDecision> {
  const { device, signedIn, choice } = decision;
  const now = deps.clock.now();
  if (!isOpen(device, now)) return { kind: 'gone' };
  if (!choice) return (await deps.stores.deviceAuthorizations.deny(device.id, now)) ? { kind: 'denied' } : { kind: 'gone' };
  if (!signedInRecently(deps, signedIn.session)) return { kind: 'step_up', reason: 'stale' };
  const stepUp = await approvalStepUp(deps, signedIn, decision.shownScopes);
  if (stepUp) return { kind: 'step_up', reason: stepUp };
  const narrowingUntil = now + deps.config.ttl.accessToken;
  const grant = await deps.stores.grants.approve(signedIn.user.id, device.appId, choice.scopes, now, { ...choice.terms, narrowingUntil }, decision.event);
  if (grant.narrowed) {
    await deps.revoker.announceNarrowing({ grantId: grant.id, scopes: grant.scopes, orgIds: grant.orgIds, narrowedAt: now, expiresAt: narrowingUntil });
  }
  const bound = await deps.stores.deviceAuthorizations.approve(
    device.id,
    { userId: signedIn.user.id, grantId: grant.id, familyId: randomId(), authTime: signedIn.session.authTime, amr: signedIn.session.amr, scopes: choice.scopes },
    now,
  );
  return bound ? { kind: 'approved', grantId: grant.id } : { kind: 'gone' };
}
