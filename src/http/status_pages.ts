/**
 * Browsers get a page for a 404 or a 405 (issue 20, "Pages a person can read"); JSON clients keep
 * the JSON bodies of the not-found handler (error_handler.ts) and of every 405 route
 * (methods.ts, api/methods.ts). One hook decides for all of them: an answer of 404 or 405 in JSON,
 * to a request that accepts text/html outside the machine paths (machine_paths.ts), is replaced by
 * the page the caller renders. The status and the `Allow` header stay as they were.
 * @module
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { wantsPage } from './machine_paths.ts';

export type StatusCode = 404 | 405;

/** Renders the page for `status`, setting its own content type and CSP on `reply`; answers the body. */
export type StatusPage = (reply: FastifyReply, status: StatusCode) => string;

export function registerStatusPages(app: FastifyInstance, page: StatusPage): void {
  // Callback-style: every response runs it, and nearly all pass through untouched.
  app.addHook('onSend', (request, reply, payload, done) => {
    const status = reply.statusCode;
    if ((status !== 404 && status !== 405) || !String(reply.getHeader('content-type') ?? '').startsWith('application/json') || !wantsPage(request)) return done(null, payload);
    done(null, page(reply, status));
  });
}
