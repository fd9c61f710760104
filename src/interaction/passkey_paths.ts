/**
 * The passkey endpoints of the pages (issue 16): JSON for our script (assets/passkeys.js), each a
 * pair of an options step (a challenge, kept server-side) and its verification. The pages name
 * them in data attributes; the routes register them.
 * @module
 */

export interface CeremonyPaths {
  options: string;
  verify: string;
}

/** Sign-in with a passkey alone, from the button or the email field's autofill (login/passkey_route.ts). */
export const SIGN_IN_PASSKEY: CeremonyPaths = { options: '/login/passkey/options', verify: '/login/passkey' };

/** A passkey as the second step after a password (login/passkey_route.ts). */
export const SECOND_FACTOR_PASSKEY: CeremonyPaths = { options: '/login/code/passkey/options', verify: '/login/code/passkey' };

/** A passkey as the second factor of a password reset, bound to its link (recovery/passkey_route.ts). */
export const RESET_PASSKEY: CeremonyPaths = { options: '/reset-password/passkey/options', verify: '/reset-password/passkey' };

/** Create an account with a passkey and no password (signup/passkey_route.ts). */
export const SIGN_UP_PASSKEY: CeremonyPaths = { options: '/signup/passkey/options', verify: '/signup/passkey' };

/** The profile's passkeys page, and adding one there (profile/passkeys_route.tsx). */
export const PASSKEYS_PAGE = '/profile/passkeys';
export const ADD_PASSKEY: CeremonyPaths = { options: '/profile/passkeys/options', verify: '/profile/passkeys/add' };
