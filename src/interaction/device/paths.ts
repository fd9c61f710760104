/** The device flow's pages (RFC 8628 §3.3, issue 17): where people type the code, and decide. */
import { ENDPOINTS } from '../../oauth/endpoints.ts';

export const DEVICE_PATH = ENDPOINTS.deviceVerification;
export const DEVICE_DECISION_PATH = `${ENDPOINTS.deviceVerification}/decision`;

/**
 * The code entry with a code filled in, as a path: a sign-in returns only to a path with no query
 * (domain/return_path.ts), so verification_uri_complete's code survives the sign-in this way.
 * `code` is a normalized user code (8 letters of crypto/user_codes.ts).
 */
const devicePathWith = (code: string) => `${DEVICE_PATH}/${code}`;

/** Sign in first, then back to the code entry (with the code filled in, when there was one). */
export const deviceSignIn = (code?: string) => `/login?${new URLSearchParams({ return_to: code ? devicePathWith(code) : DEVICE_PATH })}`;
/** The same for a sign-in that is not recent (issue 16's window), or to use the second factor. */
export const deviceReauth = (code?: string) => `/login?${new URLSearchParams({ return_to: code ? devicePathWith(code) : DEVICE_PATH, reauth: '1' })}`;
