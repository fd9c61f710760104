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
};

export const SHOWN_EVENTS = Object.keys(EVENT_TEXT);

/** UTC, to the minute: the page has no script to localize it. */
export function formatTime(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
}
