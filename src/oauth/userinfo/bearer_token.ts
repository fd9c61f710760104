/**
 * Where a bearer token may come from at /userinfo (RFC 6750 §2): the Authorization header (scheme
 * matched case-insensitively, §2.1) or, for POST, the form parameter `access_token` (§2.2) — not
 * both, and never the query string (§2.3 is a MUST NOT for us: URLs end up in logs).
 * @module
 */
import type { FastifyRequest } from 'fastify';
import { assembleParams, asRawParams } from '../../http/params.ts';
import { InvalidRequest, InvalidToken } from '../errors.ts';
import { isForm } from '../client_auth/back_channel.ts';
import type { RawParams } from '../../http/urlencoded.ts';
import type { TokenScheme } from '../../services/dpop_proofs.ts';

// RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;
// RFC 9449 §7.1: the same token68 syntax under the DPoP scheme.
const DPOP = /^DPoP +([A-Za-z0-9\-._~+/]+=*) *$/i;

/** The presented token and its scheme: Bearer (header or form), or DPoP (header only, RFC 9449 §7.1). */
export function extractAccessToken(request: FastifyRequest): { token: string; scheme: TokenScheme } | undefined {
  const dpop = fromDpopHeader(request.headers.authorization);
  const query = request.query as RawParams | undefined;
  if (query?.access_token !== undefined) throw new InvalidRequest('access_token in the query string');
  const fromHeader = fromAuthorizationHeader(request.headers.authorization);
  const fromBody = request.method === 'POST' ? fromFormBody(request) : undefined;
  // RFC 6750 §2: "MUST NOT use more than one method to transmit the token in each request".
  if ((fromHeader ?? dpop) !== undefined && fromBody !== undefined) throw new InvalidRequest('token in both header and body');
  if (dpop !== undefined) return { token: dpop, scheme: 'dpop' };
  const token = fromHeader ?? fromBody;
  return token === undefined ? undefined : { token, scheme: 'bearer' };
}

function fromDpopHeader(header: string | undefined): string | undefined {
  if (header === undefined || !/^dpop(\s|$)/i.test(header)) return undefined;
  const match = DPOP.exec(header);
  if (!match) throw new InvalidToken('malformed DPoP authorization header');
  return match[1];
}

function fromAuthorizationHeader(header: string | undefined): string | undefined {
  // Another scheme is no bearer token at all; RFC 6750 §3.1 then answers without an error code.
  if (header === undefined || !/^bearer(\s|$)/i.test(header)) return undefined;
  const match = BEARER.exec(header);
  if (!match) throw new InvalidToken('malformed bearer header');
  return match[1];
}

function fromFormBody(request: FastifyRequest): string | undefined {
  if (request.body === undefined || request.body === null) return undefined;
  // RFC 6750 §2.2: only an application/x-www-form-urlencoded body may carry the token.
  if (!isForm(request)) throw new InvalidRequest('body must be application/x-www-form-urlencoded');
  return assembleParams(['access_token'], asRawParams(request.body)).access_token;
}
