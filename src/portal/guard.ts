/**
 * Who may use the portal's pages (SECURITY 51; issue 13): a live session, checked by a hook
 * before any handler; forms carry a token bound to the session and to the app they act on,
 * checked by the form guard (src/http/form_guard.ts). There is no portal sign-in form: without a
 * session the developer goes to /login, which comes back here.
 * @module
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Deps } from '../deps.ts';
import type { SignedIn } from '../services/accounts/sessions.ts';
import { formRule, formToken, defaultCsrfRule } from '../http/form_guard.ts';
import { guardRoutes, requireRecentSignIn, requireSignIn } from '../http/signed_in.ts';
import { safeReturnPath } from '../domain/return_path.ts';
import { PORTAL } from './pages/paths.ts';

/** The form token of a portal page: bound to the session and to the app the form acts on. */
export function portalToken(deps: Pick<Deps, 'formKey'>, signedIn: SignedIn, appId = ''): string {
  return formToken(deps.formKey, signedIn.session.id, 'portal', appId);
}

/** The portal path this request came from, to come back to after signing in. */
function backHere(request: FastifyRequest): string {
  return (request.method === 'GET' ? safeReturnPath(request.url.split('?')[0]) : undefined) ?? PORTAL.apps;
}

const toSignIn = requireSignIn((request, reply) => reply.code(request.method === 'GET' ? 302 : 303).header('location', PORTAL.signIn(backHere(request))).send());

/** Every portal page needs a session; its forms carry the portal token bound to `:id`. */
export function portalPagesArea(app: FastifyInstance): void {
  guardRoutes(app, toSignIn);
  defaultCsrfRule(app, formRule('portal', (request) => [(request.params as { id?: string }).id ?? '']));
}

/**
 * Secrets change only after a recent sign-in (SECURITY 51): otherwise back to /login, then to
 * the app's page.
 */
export function recentSignIn(deps: Pick<Deps, 'clock' | 'config'>) {
  return requireRecentSignIn(
    deps,
    (request, reply) => reply.code(303).header('location', PORTAL.signIn(backHere(request))).send(),
    (request, reply) => reply.code(303).header('location', PORTAL.reauth(PORTAL.app((request.params as { id?: string }).id ?? ''))).send(),
  );
}
