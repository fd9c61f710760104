/**
 * Security notices (issue 15): which audit events are mailed to the person they concern. A notice
 * is written by the audit log itself, in the transaction of its event (persistence/stores/audit.ts),
 * so no path that records one of these events can forget to tell the person, and none can tell
 * them of something that did not commit. They cannot be turned off.
 * @module
 */
import type { AuditEvent } from './audit.ts';
import type { NoticeData } from './mail.ts';
import { deviceName } from './devices.ts';

/** Events mailed whenever they happen. */
const ALWAYS = new Set([
  'user.password_changed',
  'user.password_reset',
  'user.totp_enabled',
  'user.totp_disabled',
  'user.recovery_code_used',
  'user.second_factor_reset',
  'user.email_changed',
  'user.passkey_added',
  'user.passkey_removed',
  // Issue 16: an assertion whose signature counter went back, refused (services/accounts/passkeys.ts).
  'user.passkey_clone_suspected',
  // Issue 17: a device signed in through the device flow (services/device_flow.ts), the flow phishers abuse.
  'device.signed_in',
  // Issue 20: an organization's owners answered the person's request to approve a service.
  'org_app.request_answered',
  // Issue 20: the owners' new policy stopped services acting for the person in an organization.
  'org_policy.stopped_services',
]);

/**
 * The notice an event calls for, with the address it goes to when that is not the account's own
 * (a change of address is told to the old one); undefined for events that are not notices.
 */
export function noticeFor(event: AuditEvent, now: number): { data: NoticeData; to?: string } | undefined {
  if (!event.userId || !isNotice(event)) return undefined;
  const detail = event.detail ?? {};
  const data: NoticeData = { event: event.type, at: now, ip: event.ip ?? null, browser: event.userAgent ? deviceName(event.userAgent) : null, detail };
  return event.type === 'user.email_changed' && typeof detail.old_email === 'string' ? { data, to: detail.old_email } : { data };
}

function isNotice(event: AuditEvent): boolean {
  if (ALWAYS.has(event.type)) return true;
  const detail = event.detail ?? {};
  // A service authorized for the first time, or given more than it had; not a re-approval of the same.
  // One approved on /device (issue 17) is told by its own `device.signed_in` notice, every time.
  if (event.type === 'grant.approved') return detail.device === undefined && (detail.first === true || detail.widened === true);
  // Device recognition (services/accounts): a sign-in from a browser this account has not used.
  if (event.type === 'user.signed_in') return detail.new_browser === true;
  return false;
}
