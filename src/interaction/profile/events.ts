/** The security events a person sees on their profile, with the sentence each one shows. */
export const EVENT_TEXT: Record<string, string> = {
  'user.signed_up': 'Account created',
  'user.signed_in': 'Signed in',
  'user.sign_in_failed': 'Failed sign-in attempt',
  'user.signed_out': 'Signed out',
  'user.session_ended': 'Signed out a session from the profile',
  'user.password_changed': 'Password changed',
  'user.renamed': 'Name changed',
  'user.totp_enabled': 'Two-step verification turned on',
  'user.totp_disabled': 'Two-step verification turned off',
  'user.password_reset': 'Password reset with a link sent by email',
  'user.recovery_code_used': 'Recovery code used',
  'user.second_factor_reset': 'Two-step verification removed by an administrator',
  'user.email_changed': 'Email address changed',
  'user.email_verified': 'Email address confirmed',
  'user.passkey_added': 'Passkey added',
  'user.passkey_removed': 'Passkey removed',
  'user.passkey_clone_suspected': 'Refused a passkey that looked copied (its counter went back)',
  'grant.approved': 'Authorized an application',
  'grant.narrowed': "Reduced an application's access",
  'grant.revoked': 'Revoked an application',
  'org_app.request_answered': "An organization's owners answered your request",
  'org_policy.stopped_services': "An organization's owners stopped services you use there",
};

export const SHOWN_EVENTS = Object.keys(EVENT_TEXT);

/** The sentence for an event, naming the application it concerns when there is one. */
export function eventText(type: string, detail: Record<string, unknown>): string {
  // Device recognition (domain/known_browsers.ts): the sign-ins the person was mailed about stand out.
  if (type === 'org_app.request_answered' && typeof detail.org === 'string' && typeof detail.app === 'string') {
    return `The owners of ${detail.org} ${detail.answer === 'approved' ? 'approved' : 'did not approve'} ${detail.app}, as you asked`;
  }
  if (type === 'org_policy.stopped_services' && typeof detail.org === 'string' && Array.isArray(detail.apps)) {
    return `The owners of ${detail.org} stopped services you use there: ${detail.apps.join(', ')}`;
  }
  const text = type === 'user.signed_in' && detail.new_browser === true ? 'Signed in from a new browser' : (EVENT_TEXT[type] ?? type);
  return typeof detail.app === 'string' ? `${text}: ${detail.app}` : text;
}

export { formatTime } from '../../domain/dates.ts';
