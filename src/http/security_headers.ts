/**
 * Headers every response carries (SECURITY 7, 30, 39): no sniffing, no referrer, no framing,
 * HSTS over https, and no caching unless a route opts in. JSON responses get a CSP that allows
 * nothing; HTML pages set their own, per page.
 * @module
 */
import type { FastifyInstance } from 'fastify';

export const DEFAULT_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

export function registerSecurityHeaders(app: FastifyInstance, options: { secure: boolean }): void {
  // Callback-style: every response runs it (an async hook costs a promise and a microtask).
  app.addHook('onSend', (_request, reply, payload, done) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('x-frame-options', 'DENY');
    reply.header('cross-origin-opener-policy', 'same-origin');
    if (!reply.hasHeader('content-security-policy')) reply.header('content-security-policy', DEFAULT_CSP);
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    if (options.secure) reply.header('strict-transport-security', 'max-age=31536000; includeSubDomains');
    done(null, payload);
  });
}
