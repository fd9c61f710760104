/**
 * What every back-channel endpoint (/token, /revoke, /introspect) shares: POST with an
 * application/x-www-form-urlencoded body only (RFC 6749 §3.2, RFC 7009 §2.1, RFC 7662 §2.1;
 * SECURITY 42), no caching of any response, errors included (RFC 6749 §5.1; SECURITY 17), and
 * no credential in the URL (RFC 6749 §2.3.1, §3.2.1; SECURITY 14).
 * @module
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RawParams } from '../../http/urlencoded.ts';
import { InvalidRequest } from '../errors.ts';

const FORM = 'application/x-www-form-urlencoded';

/** `Cache-Control: no-store` and `Pragma: no-cache` on a reply (RFC 6749 §5.1). */
export function noStore(reply: FastifyReply): void {
  reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
}

/** True when the request body is declared as a form (parameters after `;` are allowed). */
export function isForm(request: FastifyRequest): boolean {
  const type = request.headers['content-type'];
  return type !== undefined && type.split(';')[0]!.trim().toLowerCase() === FORM;
}

/**
 * Hooks for an encapsulated back-channel plugin. They run before the body is parsed, so a JSON or
 * other body is refused with 400 invalid_request without being read into an object.
 */
export function registerBackChannel(app: FastifyInstance): void {
  app.addHook('onRequest', async (request, reply) => {
    noStore(reply);
    if (request.method === 'POST' && !isForm(request)) throw new InvalidRequest('body must be application/x-www-form-urlencoded');
  });
}

/** A credential in the query string ends up in logs and histories: refuse it outright. */
export function rejectCredentialsInQuery(query: unknown, names: readonly string[]): void {
  const raw = query as RawParams | undefined;
  if (!raw) return;
  for (const name of names) {
    if (raw[name] !== undefined) throw new InvalidRequest(`${name} must not be sent in the query string`);
  }
}
