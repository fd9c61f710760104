/**
 * Where Tessera may send a request of its own (issue 19): an app's back-channel logout URI
 * (OpenID Connect Back-Channel Logout 1.0 §2.2), and later a security-event push endpoint. One set
 * of rules, checked when the URL is registered and again, against the addresses its host resolves
 * to, when a request is sent (jobs/outbound/post.ts):
 *
 * - https only; http only on a loopback host, for development and tests;
 * - no credentials in the URL, no fragment (§2.2: "MUST NOT include a fragment component");
 * - no private, link-local, unique-local, CGNAT, multicast, reserved or unspecified address, in
 *   IPv4 or IPv6 (an IPv4-mapped or NAT64-embedded IPv4 address is judged as that IPv4 address),
 *   unless the operator allows private addresses (OUTBOUND_ALLOW_PRIVATE=on). Loopback is always
 *   allowed: it is where a developer's app runs, and the http rule depends on it.
 *
 * At registration only a literal IP can be judged; a name is judged at send time, and the request
 * then connects to the very address judged (no second lookup: DNS rebinding).
 * @module
 */
import { isIP } from 'node:net';

/** What an address is, for the outbound rules. */
export type AddressKind = 'public' | 'loopback' | 'private' | 'refused';

/** Longer URLs are refused: the portal's limit for every URL an app registers. */
const MAX_URL_LENGTH = 2000;

/** Reasons a URL is refused, as shown to whoever registers it. */
export function outboundUrlProblem(value: string, options: { allowPrivate: boolean }): string | undefined {
  if (value.length > MAX_URL_LENGTH) return `is too long (at most ${MAX_URL_LENGTH} characters)`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'is not an absolute URL';
  }
  if (url.hash !== '' || value.includes('#')) return 'must not have a fragment';
  if (url.username !== '' || url.password !== '') return 'must not carry credentials';
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be https (http only on a loopback address)';
  const literal = hostLiteral(url.hostname);
  const kind = literal === undefined ? undefined : addressKind(literal);
  const loopback = kind === 'loopback' || url.hostname === 'localhost';
  if (url.protocol === 'http:' && !loopback) return 'must be https (http only on a loopback address)';
  if (kind === 'refused') return 'must not name an unspecified, multicast or reserved address';
  if (kind === 'private' && !options.allowPrivate) return 'must not name a private address';
  return undefined;
}

/** The IP address a URL's hostname spells, without brackets; undefined for a name. */
export function hostLiteral(hostname: string): string | undefined {
  const bare = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  return isIP(bare) === 0 ? undefined : bare;
}

/** True when a request may connect to `address` (an IP literal), under the operator's setting. */
export function addressAllowed(address: string, options: { allowPrivate: boolean }): boolean {
  const kind = addressKind(address);
  return kind === 'public' || kind === 'loopback' || (kind === 'private' && options.allowPrivate);
}

/** Classifies an IPv4 or IPv6 literal (RFC 6890 special-purpose registries). */
export function addressKind(address: string): AddressKind {
  const family = isIP(address);
  if (family === 4) return ipv4Kind(ipv4Bytes(address));
  if (family === 6) return ipv6Kind(ipv6Words(address));
  return 'refused';
}

function ipv4Bytes(address: string): number[] {
  return address.split('.').map(Number);
}

function ipv4Kind([a, b, c]: number[]): AddressKind {
  if (a === 127) return 'loopback';
  if (a === 0) return 'refused'; // "this network", 0.0.0.0 reaches the local host
  if (a === 10 || (a === 172 && b! >= 16 && b! <= 31) || (a === 192 && b === 168)) return 'private'; // RFC 1918
  if (a === 100 && b! >= 64 && b! <= 127) return 'private'; // CGNAT, RFC 6598
  if (a === 169 && b === 254) return 'private'; // link-local, RFC 3927 (cloud metadata lives here)
  if (a === 192 && b === 0 && c === 0) return 'private'; // IETF protocol assignments
  if (a === 198 && (b === 18 || b === 19)) return 'private'; // benchmarking, RFC 2544
  if (a! >= 224) return 'refused'; // multicast (224/4), reserved (240/4) and broadcast
  return 'public';
}

/** Eight 16-bit words of an IPv6 literal (with `::` expanded and a trailing dotted IPv4 read). */
function ipv6Words(address: string): number[] {
  let text = address.toLowerCase().replace(/%.*$/, '');
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = ipv4Bytes(dotted[1]!);
    text = `${text.slice(0, -dotted[1]!.length)}${((a! << 8) | b!).toString(16)}:${((c! << 8) | d!).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const fill = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...fill, ...right].map((w) => parseInt(w, 16));
}

function ipv6Kind(w: number[]): AddressKind {
  const [w0, w1, w2, , , w5, w6, w7] = w as [number, number, number, number, number, number, number, number];
  const embedded = [w6 >> 8, w6 & 0xff, w7 >> 8, w7 & 0xff];
  const zeroTo = (n: number) => w.slice(0, n).every((x) => x === 0);
  if (zeroTo(7) && w7 === 1) return 'loopback'; // ::1
  if (zeroTo(8)) return 'refused'; // ::
  if (zeroTo(5) && w5 === 0xffff) return ipv4Kind(embedded); // ::ffff:a.b.c.d, IPv4-mapped
  if (zeroTo(6)) return ipv4Kind(embedded); // ::a.b.c.d, IPv4-compatible (deprecated)
  if (w0 === 0x64 && w1 === 0xff9b) return ipv4Kind(embedded); // 64:ff9b::/96 and /48, NAT64
  if ((w0 & 0xff00) === 0xff00) return 'refused'; // multicast ff00::/8
  if ((w0 & 0xfe00) === 0xfc00) return 'private'; // unique-local fc00::/7
  if ((w0 & 0xffc0) === 0xfe80 || (w0 & 0xffc0) === 0xfec0) return 'private'; // link-local, old site-local
  if (w0 === 0x2001 && w1 === 0x0db8) return 'refused'; // documentation
  if (w0 === 0x2002) return ipv4Kind([w1 >> 8, w1 & 0xff, w2 >> 8, w2 & 0xff]); // 6to4 carries an IPv4 address
  if (w0 === 0x2001 && w1 === 0) return 'private'; // Teredo: tunnels to an address we cannot judge
  return 'public';
}
