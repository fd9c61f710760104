/**
 * One outbound POST (issue 19): a back-channel logout token (OpenID Connect Back-Channel Logout
 * 1.0 §2.5) or a security event (RFC 8935 §2). The URL is checked again by domain/outbound_url.ts, its host
 * is resolved once, every address it resolves to is judged, and the request connects to the
 * address judged: the socket's lookup answers with it, so no second DNS answer (DNS rebinding)
 * can move the request elsewhere. TLS still verifies the certificate against the URL's name.
 *
 * - Redirects are never followed: a 3xx is a failed delivery (SECURITY 49, R7).
 * - The connection must open within `connectMs`, and the whole exchange end within `totalMs`;
 *   only the first 16 KiB of an answer are read.
 * @module
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { addressAllowed, hostLiteral, outboundUrlProblem } from '../../domain/outbound_url.ts';

/** The URL or its address is not allowed: no request was made. */
export class OutboundRefusedError extends Error {
  override name = 'OutboundRefusedError';
}

export interface OutboundPostOptions {
  allowPrivate: boolean;
  connectMs: number;
  totalMs: number;
  /** Resolves a name to its addresses; the system resolver unless a test names another. */
  resolve?: (hostname: string) => Promise<{ address: string; family: number }[]>;
}

export interface OutboundAnswer {
  status: number;
  /** The start of the body, for the log and the audit event. */
  body: string;
}

const BODY_LIMIT = 16 * 1024;

async function systemResolve(hostname: string) {
  return dnsLookup(hostname, { all: true, verbatim: true });
}

/** Resolves and judges the URL's host; the one address to connect to. */
export async function checkedAddress(url: URL, options: Pick<OutboundPostOptions, 'allowPrivate' | 'resolve'>): Promise<{ address: string; family: number }> {
  const problem = outboundUrlProblem(url.href, options);
  if (problem) throw new OutboundRefusedError(`${url.origin} ${problem}`);
  const literal = hostLiteral(url.hostname);
  const found = literal ? [{ address: literal, family: literal.includes(':') ? 6 : 4 }] : await (options.resolve ?? systemResolve)(url.hostname);
  if (found.length === 0) throw new Error(`${url.hostname} resolves to no address`);
  // Every address must pass: a name that also resolves to a private address is refused.
  const refused = found.find((a) => !addressAllowed(a.address, options));
  if (refused) throw new OutboundRefusedError(`${url.hostname} resolves to ${refused.address}, which outbound requests may not reach`);
  return found[0]!;
}

/** A lookup that answers only with the address already judged. */
function pinnedLookup(pinned: { address: string; family: number }): LookupFunction {
  return (_hostname, options, callback) => {
    if (options.all) (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [pinned]);
    else callback(null, pinned.address, pinned.family);
  };
}

/** POSTs `form` as application/x-www-form-urlencoded (Back-Channel Logout §2.5); the status and the start of the answer. */
export function postForm(target: string, form: Record<string, string>, options: OutboundPostOptions): Promise<OutboundAnswer> {
  return post(target, { body: new URLSearchParams(form).toString(), contentType: 'application/x-www-form-urlencoded', accept: '*/*' }, options);
}

/** POSTs a Security Event Token as RFC 8935 §2 asks: the compact JWT as `application/secevent+jwt`, JSON errors accepted. */
export function postSecurityEvent(target: string, jwt: string, options: OutboundPostOptions): Promise<OutboundAnswer> {
  return post(target, { body: jwt, contentType: 'application/secevent+jwt', accept: 'application/json' }, options);
}

async function post(target: string, content: { body: string; contentType: string; accept: string }, options: OutboundPostOptions): Promise<OutboundAnswer> {
  const url = new URL(target);
  const pinned = await checkedAddress(url, options);
  const { body } = content;
  const requestOptions: RequestOptions = {
    method: 'POST',
    lookup: pinnedLookup(pinned),
    headers: { 'content-type': content.contentType, 'content-length': Buffer.byteLength(body), accept: content.accept, 'user-agent': 'Tessera' },
    agent: false,
    signal: AbortSignal.timeout(options.totalMs),
  };
  return new Promise<OutboundAnswer>((resolve, reject) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(url, requestOptions, (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        if (size < BODY_LIMIT) chunks.push(chunk);
        size += chunk.length;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8').slice(0, BODY_LIMIT) }));
      res.on('error', reject);
    });
    const connectTimer = setTimeout(() => req.destroy(new Error(`no connection to ${url.host} within ${options.connectMs} ms`)), options.connectMs);
    req.on('socket', (socket) => {
      const opened = () => clearTimeout(connectTimer);
      if (!socket.connecting) opened();
      socket.once(url.protocol === 'https:' ? 'secureConnect' : 'connect', opened);
    });
    req.on('close', () => clearTimeout(connectTimer));
    req.on('error', (err) => reject(err.name === 'AbortError' ? new Error(`no answer from ${url.host} within ${options.totalMs} ms`) : err));
    req.end(body);
  });
}
