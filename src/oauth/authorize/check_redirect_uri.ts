/**
 * Step 1b: the redirect URI, compared to the registered ones by simple string comparison
 * (RFC 9700 §4.1.3, OAuth 2.1 §2.3.1, SECURITY 1). The one variance allowed is the port of a
 * loopback-IP http URI, because native apps listen on an ephemeral port (RFC 8252 §7.3).
 * @module
 */
import type { App } from '../../domain/apps.ts';
import { InvalidRedirectUri } from '../errors.ts';

export interface RedirectTarget {
  /** Where the response goes: the URI as sent, or the single registered one when omitted. */
  uri: string;
  /** Whether `redirect_uri` was in the request; the token request must then repeat it (RFC 6749 §4.1.3). */
  sent: boolean;
}

// RFC 8252 §7.3 (and §8.3: loopback IP literals, not "localhost"): scheme and host exact, port free.
const LOOPBACK = /^http:\/\/(127\.0\.0\.1|\[::1\])(?::(\d{1,5}))?([/?].*)?$/s;

function withoutPort(uri: string): string | undefined {
  const match = LOOPBACK.exec(uri);
  if (!match) return undefined;
  const port = match[2] === undefined ? 80 : Number(match[2]);
  if (port < 1 || port > 65535) return undefined;
  return `http://${match[1]}${match[3] ?? ''}`;
}

export function matchesRegistered(registered: readonly string[], sent: string): boolean {
  if (registered.includes(sent)) return true;
  const loose = withoutPort(sent);
  return loose !== undefined && registered.some((uri) => withoutPort(uri) === loose);
}

/**
 * `openid`: the request asks for OpenID Connect, where redirect_uri is REQUIRED (OIDC Core
 * §3.1.2.1; the OpenID Foundation's oidcc-ensure-redirect-uri-in-authorization-request expects an
 * error page). Plain OAuth keeps RFC 6749 §3.1.2.3's leniency.
 */
export function checkRedirectUri(app: App, sent: string | undefined, openid = false): RedirectTarget {
  if (sent === undefined) {
    if (openid) throw new InvalidRedirectUri('redirect_uri is required in an OpenID Connect request');
    // RFC 6749 §3.1.2.3: may be omitted only when exactly one URI is registered.
    const only = app.redirectUris.length === 1 ? app.redirectUris[0] : undefined;
    if (only === undefined) throw new InvalidRedirectUri('redirect_uri omitted with several registered');
    return { uri: only, sent: false };
  }
  if (!matchesRegistered(app.redirectUris, sent)) throw new InvalidRedirectUri('redirect_uri not registered');
  return { uri: sent, sent: true };
}
