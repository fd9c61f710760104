/**
 * Which redirect URIs an app may register (SECURITY 50). A pure rule, shared by the CLI and the
 * portal. Registered URIs are later compared by simple string comparison (RFC 9700 §4.1.3), so
 * only the canonical spelling of a URI is accepted: what is registered is exactly what matches.
 * @module
 */
import type { ClientType } from './apps.ts';

export type RedirectUriCheck = { valid: true } | { valid: false; reason: string };

export const MAX_REDIRECT_URI_LENGTH = 2000;
export const MAX_REDIRECT_URIS = 10;

// RFC 8252 §8.3: loopback redirects use IP literals; the name `localhost` can be resolved elsewhere.
const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]']);

// Schemes that run or read content instead of delivering a response to an app.
const DANGEROUS_SCHEMES = new Set(['javascript:', 'data:', 'file:', 'vbscript:', 'blob:', 'about:', 'filesystem:']);

// RFC 8252 §7.1: a private-use scheme is a domain name the developer controls, in reverse order.
const REVERSE_DNS_SCHEME = /^[a-z][a-z0-9-]*(?:\.[a-z0-9-]+)+:$/;

function invalid(reason: string): RedirectUriCheck {
  return { valid: false, reason };
}

/** Checks one redirect URI for an app of the given type; the reason is one sentence for a person. */
export function checkRedirectUri(uri: string, clientType: ClientType): RedirectUriCheck {
  if (uri.length === 0) return invalid('the redirect URI is empty');
  if (uri.length > MAX_REDIRECT_URI_LENGTH) return invalid(`a redirect URI may have at most ${MAX_REDIRECT_URI_LENGTH} characters`);
  // RFC 6749 §3.1.2: the endpoint URI MUST NOT include a fragment component (even an empty one).
  if (uri.includes('#')) return invalid(`${uri} has a fragment; redirect URIs must not (RFC 6749 §3.1.2)`);
  if (uri.includes('*')) return invalid(`${uri} has a wildcard; redirect URIs are matched exactly (RFC 9700 §4.1.3)`);
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return invalid(`${uri} is not an absolute URI (RFC 6749 §3.1.2)`);
  }
  const scheme = url.protocol;
  if (DANGEROUS_SCHEMES.has(scheme)) return invalid(`${uri} uses the ${scheme} scheme, which is never a redirect target`);
  if (url.username || url.password || /^[^:]+:\/\/[^/?]*@/.test(uri)) {
    return invalid(`${uri} carries user information; redirect URIs must not`);
  }
  if (url.href !== uri) {
    return invalid(`${uri} is not in canonical form; register it as ${url.href}, which is what will be compared`);
  }

  if (scheme === 'https:') return { valid: true };
  if (scheme === 'http:') {
    return LOOPBACK_HOSTS.has(url.hostname)
      ? { valid: true }
      : invalid(`${uri} uses http; only https, or http on 127.0.0.1 or [::1], is allowed (RFC 8252 §8.3)`);
  }
  // A private-use scheme: the redirect of a native app (RFC 8252 §7.1).
  if (!REVERSE_DNS_SCHEME.test(scheme)) {
    return invalid(`${uri} uses a private-use scheme that is not a reverse domain name like com.example.app (RFC 8252 §7.1)`);
  }
  if (clientType !== 'public') {
    return invalid(`${uri} uses a private-use scheme, which only public (native) apps may register (RFC 8252 §8.4)`);
  }
  // RFC 8252 §7.1: there is no naming authority, so a single slash follows the scheme.
  if (url.host !== '' || uri.startsWith(`${scheme}//`)) {
    return invalid(`${uri} must have a single slash after the scheme, like ${scheme}/callback (RFC 8252 §7.1)`);
  }
  if (!url.pathname.startsWith('/')) return invalid(`${uri} must have a path starting with a slash, like ${scheme}/callback`);
  return { valid: true };
}

/** Checks a whole list: at least one, no more than the limit, no duplicates, each one valid. */
export function checkRedirectUris(uris: readonly string[], clientType: ClientType): RedirectUriCheck {
  if (uris.length === 0) return invalid('an app needs at least one redirect URI');
  if (uris.length > MAX_REDIRECT_URIS) return invalid(`an app may register at most ${MAX_REDIRECT_URIS} redirect URIs`);
  const seen = new Set<string>();
  for (const uri of uris) {
    if (seen.has(uri)) return invalid(`${uri} is listed twice`);
    seen.add(uri);
    const check = checkRedirectUri(uri, clientType);
    if (!check.valid) return check;
  }
  return { valid: true };
}
