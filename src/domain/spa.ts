/**
 * Single-page apps (issue 18, draft-ietf-oauth-browser-based-apps): the rules that make a public
 * client a browser-based one. Pure, shared by the CLI, the portal, dynamic registration, CORS and
 * the token endpoint.
 * @module
 */

/**
 * Microsoft Entra's rule for single-page apps, and the draft's advice (§6.3.2.3: a refresh token
 * held in a browser needs a maximum lifetime that rotation never extends): an unbound refresh token family ends 24
 * hours after its first token, whatever the rotations. A DPoP-bound one (RFC 9449 §5) is useless
 * without its non-extractable key, so it keeps the normal lifetime.
 */
export const SPA_REFRESH_TOKEN_LIFETIME = 24 * 3600;

/**
 * A redirect URI a browser can land on and read from script: https, or http on a loopback
 * address for development (the redirect URI rules already allow no other http). Private-use
 * schemes belong to native apps (RFC 8252 §7.1).
 */
export function isWebRedirectUri(uri: string): boolean {
  return uri.startsWith('https://') || uri.startsWith('http://');
}

/**
 * The origins (RFC 6454 §6.1 serialization, as a browser sends in `Origin`) of these redirect
 * URIs: the only origins a single-page app's token requests are accepted from (§6.3.3.4 of the
 * draft: the actual request is checked against this client's own origins). Non-web URIs have none.
 */
export function originsOf(redirectUris: readonly string[]): string[] {
  const origins: string[] = [];
  for (const uri of redirectUris) {
    if (!isWebRedirectUri(uri)) continue;
    try {
      const origin = new URL(uri).origin;
      if (!origins.includes(origin)) origins.push(origin);
    } catch {
      // Registered URIs are checked when they are registered; an unparsable one gives no origin.
    }
  }
  return origins;
}
