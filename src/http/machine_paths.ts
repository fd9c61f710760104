/**
 * The paths machines call: the protocol's endpoints, the APIs, operations. Their answers stay in
 * their own formats (OAuth JSON, problem JSON) whatever the caller accepts; everywhere else a
 * browser may get a page (issue 20: an HTML 404 and 405 for browsers).
 * @module
 */
import type { FastifyRequest } from 'fastify';
import { ENDPOINTS } from '../oauth/endpoints.ts';

/** Whole areas: the platform API, the portal's API, metadata and keys, the Shared Signals stream. */
const PREFIXES = ['/api/', '/developers/api/', '/.well-known/', '/ssf/'];

/** Single endpoints and everything below them. `/register` is RFC 7591's (oauth/registration/route.ts). */
const ENDPOINT_PATHS = [
  ENDPOINTS.token,
  ENDPOINTS.introspection,
  ENDPOINTS.revocation,
  ENDPOINTS.pushedAuthorizationRequest,
  '/register',
  ENDPOINTS.userinfo,
  ENDPOINTS.deviceAuthorization,
  '/jwks',
  '/healthz',
  '/readyz',
  '/metrics',
];

export function isMachinePath(path: string): boolean {
  return PREFIXES.some((p) => path.startsWith(p)) || ENDPOINT_PATHS.some((p) => path === p || path.startsWith(`${p}/`));
}

/** A person's browser asking for something outside the machine paths: it reads a page, not JSON. */
export function wantsPage(request: FastifyRequest): boolean {
  const accept = request.headers.accept;
  if (typeof accept !== 'string' || !accept.includes('text/html')) return false;
  const path = request.url.split('?', 1)[0]!;
  return !isMachinePath(path);
}
