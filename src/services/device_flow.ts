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
import type { ApprovalChoice, ApprovalTerms } from '../domain/approval.ts';
import type { AuditEvent } from '../domain/audit.ts';
import type { DeviceAuthorization } from '../domain/device_authorizations.ts';
import type { App } from '../domain/apps.ts';
import { randomId } from '../crypto/random.ts';
import { normalizeUserCode, userCodeDigest } from '../crypto/user_codes.ts';
import { clientNetwork } from '../caches/throttles.ts';
import { signedInRecently, type SignedIn } from './accounts/sessions.ts';
import { approvalStepUp, type StepUp } from './interactions.ts';

export type DeviceDecision =
  /** Approving needs a new sign-in first: nothing was granted. */
  | { kind: 'step_up'; reason: StepUp }
  /** Decided before (by this person or another), or expired meanwhile: nothing changed. */
  | { kind: 'gone' }
  /** Issue 21: the platform suspended the app (perhaps while the page was open): nothing was decided. */
  | { kind: 'suspended' }
  | { kind: 'approved'; grantId: string }
  | { kind: 'denied' };

type DeviceDeps = Pick<Deps, 'config' | 'clock' | 'stores' | 'revoker' | 'accounts' | 'access' | 'suspensions'>;

/**
 * Issue 17: organizations whose owners turned the device flow off are left out of the grant,
 * whatever the form said: "all my organizations" (null) and "as before" ('keep') become the
 * explicit list without them, so the token's `orgs` claim names only the others.
 */
async function leaveOutDeviceFlowOff(deps: Pick<Deps, 'access' | 'stores'>, userId: string, appId: string, terms: ApprovalTerms, now: number): Promise<ApprovalTerms> {
  const reach = await deps.access.reachOf(userId);
  const current = reach.current.map((m) => m.org.id);
  const off = new Set<string>();
  for (const id of current) if ((await deps.access.policyOf(id)).deviceFlowOff) off.add(id);
  if (off.size === 0) return terms;
  const base = terms.orgIds === 'keep' ? ((await deps.stores.grants.findLive(userId, appId, now))?.orgIds ?? current) : (terms.orgIds ?? current);
  return { ...terms, orgIds: base.filter((id) => !off.has(id)) };
}

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
  // As the approval decision at /authorize refuses (oauth/authorize/decide.ts): no grant, no binding, no denial recorded.
  if (deps.suspensions.isSuspended(device.appId)) return { kind: 'suspended' };
  if (!choice) return (await deps.stores.deviceAuthorizations.deny(device.id, now)) ? { kind: 'denied' } : { kind: 'gone' };
  if (!signedInRecently(deps, signedIn.session)) return { kind: 'step_up', reason: 'stale' };
  const stepUp = await approvalStepUp(deps, signedIn, decision.shownScopes);
  if (stepUp) return { kind: 'step_up', reason: stepUp };
  const narrowingUntil = now + deps.config.ttl.accessToken;
  const terms = await leaveOutDeviceFlowOff(deps, signedIn.user.id, device.appId, choice.terms, now);
  const grant = await deps.stores.grants.approve(signedIn.user.id, device.appId, choice.scopes, now, { ...terms, narrowingUntil }, decision.event);
  if (grant.narrowed) {
    await deps.revoker.announceNarrowing({ grantId: grant.id, scopes: grant.scopes, orgIds: grant.orgIds, narrowedAt: now, expiresAt: narrowingUntil });
  }
  // The notice names the app and the device (its address and user agent); the browser is the approver's.
  const signedInEvent: AuditEvent = {
    type: 'device.signed_in',
    userId: signedIn.user.id,
    appId: device.appId,
    ip: decision.event.ip ?? null,
    userAgent: decision.event.userAgent ?? null,
    detail: { app: decision.event.detail?.app, grant_id: grant.id, scopes: choice.scopes, device_ip: device.requesterIp, device_user_agent: device.requesterUserAgent },
  };
  const bound = await deps.stores.deviceAuthorizations.approve(
    device.id,
    { userId: signedIn.user.id, grantId: grant.id, familyId: randomId(), authTime: signedIn.session.authTime, amr: signedIn.session.amr, scopes: choice.scopes },
    now,
    signedInEvent,
  );
  return bound ? { kind: 'approved', grantId: grant.id } : { kind: 'gone' };
}

/** What a code typed on /device finds. */
export type CodeLookup = { kind: 'throttled'; retryAfter: number } | { kind: 'unknown' } | { kind: 'found'; device: DeviceAuthorization; app: App };

/**
 * The open request behind a code a person typed (RFC 8628 §5.1: user codes are guessable, so
 * wrong ones are throttled per person and per client network, and past the limit nothing is
 * looked up). A malformed, unknown, expired or already decided code counts as wrong.
 */
export async function findTypedCode(deps: Pick<Deps, 'stores' | 'throttles' | 'clock'>, typed: string | undefined, userId: string, ip: string): Promise<CodeLookup> {
  const { deviceCode, deviceCodePerIp } = deps.throttles;
  const network = clientNetwork(ip);
  const wait = Math.max(deviceCode.retryAfter(userId), deviceCodePerIp.retryAfter(network));
  if (wait > 0) return { kind: 'throttled', retryAfter: wait };
  const found = await findOpen(deps, typed);
  if (found) return { kind: 'found', ...found };
  deviceCode.hit(userId);
  deviceCodePerIp.hit(network);
  return { kind: 'unknown' };
}

/** The open request and its app for a code, without counting (the decision form, bound to a code already found). */
export async function findOpen(deps: Pick<Deps, 'stores' | 'clock'>, typed: string | undefined): Promise<{ device: DeviceAuthorization; app: App } | undefined> {
  const code = typed === undefined ? undefined : normalizeUserCode(typed);
  if (code === undefined) return undefined;
  const device = await deps.stores.deviceAuthorizations.findByUserCode(userCodeDigest(code));
  if (!device || !isOpen(device, deps.clock.now())) return undefined;
  const app = await deps.stores.apps.find(device.appId);
  return app?.deviceFlow ? { device, app } : undefined;
}
