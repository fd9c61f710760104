/**
 * Unguessable artifacts (RFC 6749 §10.10, SECURITY 46): every token carries 256 bits from the
 * CSPRNG, base64url-encoded behind a prefix that makes a leaked token findable by secret scanners.
 * @module
 */
import { randomFillSync } from 'node:crypto';

/**
 * Random bytes are drawn from a pool refilled 4 KiB at a time, as Node's own randomUUID does: a
 * randomBytes call per token crossed into OpenSSL each time, 2–5% of the server's CPU on
 * /authorize and /token (docs/performance.md). Every byte is handed out once.
 */
const POOL = Buffer.alloc(4096);
let poolOffset = POOL.length;

function randomText(bytes: number, encoding: 'base64url' | 'hex'): string {
  if (poolOffset + bytes > POOL.length) {
    randomFillSync(POOL);
    poolOffset = 0;
  }
  const text = POOL.toString(encoding, poolOffset, poolOffset + bytes);
  poolOffset += bytes;
  return text;
}

export const TOKEN_PREFIX = {
  authorizationCode: 'tsc_',
  refreshToken: 'tsr_',
  clientSecret: 'tss_',
  session: 'tsn_',
  initialAccessToken: 'tsi_',
  /** RFC 8628 §3.2 device_code (issue 17): the device's credential while it polls /token. */
  deviceCode: 'tsd_',
  /** RFC 9126 §2.2 request_uri of a pushed authorization request (issue 18): the URN the RFC names. */
  requestUri: 'urn:ietf:params:oauth:request_uri:',
  /** A browser's long-lived id for device recognition (domain/known_browsers.ts); not a credential. */
  browser: 'tsb_',
  /** The cookie that lets the browser that signed up be signed in by its verification link (crypto/account_links.ts). */
  signUpBrowser: 'tsv_',
} as const;

export type TokenKind = keyof typeof TOKEN_PREFIX;

/** A new random token of the given kind: prefix + 43 base64url characters (256 bits). */
export function randomToken(kind: TokenKind): string {
  return TOKEN_PREFIX[kind] + randomText(32, 'base64url');
}

/** A random identifier (128 bits) for rows whose id is not a credential: users, grants, families. */
export function randomId(): string {
  return randomText(16, 'base64url');
}

/**
 * A new client_id: 128 random bits in lowercase hex. Not base64url: a client_id is typed into
 * command lines and configuration files, and one starting with `-` reads as a flag
 * (`tessera org approve-app --client-id -x…` is ambiguous).
 */
export function randomClientId(): string {
  return randomText(16, 'hex');
}

/** True when the value has the shape of a token of that kind; cheap rejection before any lookup. */
export function looksLike(kind: TokenKind, value: string): boolean {
  return value.length === TOKEN_PREFIX[kind].length + 43 && value.startsWith(TOKEN_PREFIX[kind]);
}
