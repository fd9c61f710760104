/**
 * Sign-out (OIDC RP-Initiated Logout §2 without a hint; SECURITY 38): GET asks for confirmation,
 * POST — not cross-site, with a token bound to the session — ends the session, clears the cookie
 * and asks the browser to drop the site's cookies (Clear-Site-Data), then 303 to sign-in.
 * @module
 */
import type { FastifyInstance } from 'fastify';
import type { AppOptions } from '../../app.ts';
import type { Deps } from '../../deps.ts';
import { rejectOtherMethods } from '../../http/methods.ts';
import { asRawParams, assembleParams } from '../../oauth/params.ts';
import { ENDPOINTS } from '../../oauth/endpoints.ts';
import { endSession, readSession } from '../../core/sessions.ts';
import { formToken, isCrossSite, tokenMatches } from '../csrf.ts';
import { sendForbidden } from '../views/error_page.tsx';
import { sendPage } from '../views/send_page.ts';
import { SignOutView } from '../home/view.tsx';

export function logoutToken(deps: Pick<Deps, 'formKey'>, sessionId: string): string {
  return formToken(deps.formKey, 'logout', sessionId);
}

export default async function logoutRoutes(app: FastifyInstance, { deps }: AppOptions): Promise<void> {
  app.get(ENDPOINTS.endSession, async (request, reply) => {
    const signedIn = await readSession(deps, request);
    if (!signedIn) return reply.code(302).header('location', '/login').send();
    return sendPage(reply, <SignOutView email={signedIn.user.email} logoutToken={logoutToken(deps, signedIn.session.id)} />);
  });

  app.post(ENDPOINTS.endSession, async (request, reply) => {
    if (isCrossSite(request, deps.config.issuer)) return sendForbidden(reply);
    const form = assembleParams(['token'], asRawParams(request.body));
    const signedIn = await readSession(deps, request);
    if (signedIn && !tokenMatches(form.token, logoutToken(deps, signedIn.session.id))) return sendForbidden(reply);
    await endSession(deps, request, reply);
    if (signedIn) await deps.stores.audit.record({ type: 'user.signed_out', userId: signedIn.user.id, ip: request.ip }, deps.clock.now());
    return reply.code(303).header('clear-site-data', '"cookies"').header('location', '/login').send();
  });

  rejectOtherMethods(app, ENDPOINTS.endSession, ['GET', 'POST']);
}
