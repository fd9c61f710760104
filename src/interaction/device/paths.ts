/** The device flow's pages (RFC 8628 §3.3, issue 17): where people type the code, and decide. */
import { ENDPOINTS } from '../../oauth/endpoints.ts';

export const DEVICE_PATH = ENDPOINTS.deviceVerification;
export const DEVICE_DECISION_PATH = `${ENDPOINTS.deviceVerification}/decision`;

/** Sign in first, then back to the code entry (the code is typed again: a return path carries no query). */
export const DEVICE_SIGN_IN = `/login?${new URLSearchParams({ return_to: DEVICE_PATH })}`;
/** The same for a sign-in that is not recent (issue 16's window), or to use the second factor. */
export const DEVICE_REAUTH = `/login?${new URLSearchParams({ return_to: DEVICE_PATH, reauth: '1' })}`;
