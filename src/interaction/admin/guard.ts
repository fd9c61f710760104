/**
 * The guard of the operator console (issue 21), one hook over every /admin route (as
 * `signedInArea` guards the profile): before any handler runs,
 *
 * 1. without a live session: to /login, coming back to the page asked for;
 * 2. an account that is not a platform operator gets the answer of a path that does not exist
 *    (the root's 404, byte for byte), so the console is not advertised to anyone who cannot use
 *    it; only the sign-in redirect before it says that something needs a session here, as it
 *    does for every signed-in page;
 * 3. an operator whose sign-in is older than 15 minutes or used no second factor or passkey
 *    (`operatorAccess`, services/operator_access.ts) gets "Confirm it is you", which is the
 *    ordinary re-authentication path (`/login?reauth=1`, its own account's step, then its
 *    second factor) and comes back to the page; one with no second factor at all is told to add
 *    one on /profile first. A form posted in that state does nothing and goes back to its page.
 *
 * Every form carries the console's token, bound to the session and to the service or person it
 * acts on, checked by the form guard (src/http/form_guard.ts).
 * @module
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../../deps.ts';
import type { SignedIn } from '../../services/accounts/sessions.ts';
import { defaultCsrfRule, formRule, formToken } from '../../http/form_guard.ts';
import { guardRoutes } from '../../http/signed_in.ts';
import { safeReturnPath } from '../../domain/return_path.ts';
import { operatorAccess } from '../../services/operator_access.ts';
import { ADMIN } from './paths.ts';
import { sendAddFactorPage, sendConfirmPage } from './step_up_view.tsx';

/** What a console form is bound to: the service or the person it acts on. */
function subjectOf(request: FastifyRequest): string {
  const params = request.params as { clientId?: string; id?: string };
  return params.clientId ?? params.id ?? '';
}

/** The form token of a console page: bound to the session and to the service or person (`subject`). */
export function adminToken(deps: Pick<Deps, 'formKey'>, signedIn: SignedIn, subject = ''): string {
  return formToken(deps.formKey, signedIn.session.id, 'admin', subject);
}

/** The console page to come back to: the page itself, or for a form, the page it was posted from. */
function backHere(request: FastifyRequest): string {
  const path = request.url.split('?')[0] ?? ADMIN.home;
  const page = request.method === 'GET' || request.method === 'HEAD' ? path : path.slice(0, path.lastIndexOf('/'));
  return safeReturnPath(page) ?? ADMIN.home;
}

function redirect(request: FastifyRequest, reply: FastifyReply, location: string): FastifyReply {
  return reply.code(request.method === 'GET' || request.method === 'HEAD' ? 302 : 303).header('location', location).send();
}

/** Puts the guard in front of every route `app` registers from now on, and the console's form rule on its forms. */
export function adminArea(app: FastifyInstance, deps: Pick<Deps, 'clock' | 'accounts' | 'formKey'>): void {
  guardRoutes(app, async function requireOperator(request, reply) {
    const signedIn = await request.signedIn();
    if (!signedIn) return redirect(request, reply, ADMIN.signIn(backHere(request)));
    const access = await operatorAccess(deps, signedIn);
    if (access === 'operator') return undefined;
    if (access === 'not_operator') {
      reply.callNotFound();
      return reply;
    }
    // A form posted without a fresh, strong sign-in does nothing: back to its page, which asks.
    if (request.method !== 'GET' && request.method !== 'HEAD') return redirect(request, reply, backHere(request));
    if (access === 'confirm') return sendConfirmPage(deps, reply, signedIn, ADMIN.confirm(backHere(request)));
    return sendAddFactorPage(deps, reply, signedIn);
  });
  defaultCsrfRule(app, formRule('admin', (request) => [subjectOf(request)]));
}
