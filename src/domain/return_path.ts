/**
 * Where a sign-in may send the person afterwards when it continues no authorization: a path on
 * Tessera's own origin, among the areas that send people to /login (the device flow's /device, issue 17, and the operator console's /admin, issue 21, too) (SECURITY 2: no open
 * redirector). Only plain path segments pass: no scheme, no `//`, no backslash, no dot segments,
 * no query, no percent-encoding, nothing a browser could read as another origin.
 * @module
 */
const RETURN_PATH = /^\/(developers|profile|orgs|device|admin)(\/[A-Za-z0-9_-]{1,100}){0,6}$/;

/** The path when it is one we return to, else undefined. */
export function safeReturnPath(value: string | undefined): string | undefined {
  return value !== undefined && value.length <= 300 && RETURN_PATH.test(value) ? value : undefined;
}
