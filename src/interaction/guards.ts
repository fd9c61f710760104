/**
 * The guards of the pages people use (issue 13): a page or form that needs a person runs behind
 * `signedInPage`, which sends anyone without a live session to /login before the handler runs.
 * @module
 */
import type { FastifyInstance } from 'fastify';
import { guardRoutes, requireSignIn } from '../http/signed_in.ts';
import { defaultCsrfRule, type CsrfRule } from '../http/form_guard.ts';

/** Without a session: to the sign-in page (302 for a page, 303 after a form, SECURITY 8). */
export const signedInPage = requireSignIn((request, reply) =>
  reply.code(request.method === 'GET' || request.method === 'HEAD' ? 302 : 303).header('location', '/login').send(),
);

/**
 * Every route of `app` (and of the plugins it registers after this) needs a live session, and its
 * forms carry `csrf` unless a route declares its own rule. The 405 answers stay open to anyone.
 */
export function signedInArea(app: FastifyInstance, csrf: CsrfRule): void {
  guardRoutes(app, signedInPage);
  defaultCsrfRule(app, csrf);
}
