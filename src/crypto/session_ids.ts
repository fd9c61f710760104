/**
 * The `sid` of a sign-in session (OpenID Connect Back-Channel Logout 1.0 §2.1, issue 19): what
 * ID tokens and logout tokens name a session by. It is an HMAC of the session's id (itself the
 * digest of the cookie) under the form key with a label of its own, so it is stable for the session,
 * the same for every app, and opens nothing: neither the cookie nor its digest can be recovered
 * from it, and a session is only ever looked up by its cookie.
 * @module
 */
import { hmac } from './digest.ts';

/** 128 bits are plenty for an identifier that is not a credential. */
const SID_CHARS = 22;

/** The session's sid; `formKey` is crypto/derived_keys.ts formKeyOf, used under its own label. */
export function sidOf(formKey: Buffer, sessionId: string): string {
  return hmac(formKey, 'session-sid', sessionId).slice(0, SID_CHARS);
}
