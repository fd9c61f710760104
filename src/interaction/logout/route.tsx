/**
 * Sign-out, and the end_session_endpoint of OpenID Connect RP-Initiated Logout 1.0 (SECURITY 38).
 *
 * - GET, or a POST from a service without our form token (§2: both methods are supported): the
 *   request is checked (logout_request.ts) and nothing changes. Signed in: the confirmation page,
 *   always, naming the service. Signed out: "You are signed out", with a link back only to an
 *   address registered for the service. A refused request gets an error page and never a redirect.
 * - POST of the confirmation form — not cross-site, with a token bound to the session and to the
 *   return it carries — ends the session, clears the cookie and asks the browser to drop the
 *   site's cookies (Clear-Site-Data), then 303 to the registered address with `state` (§3), or to
 *   the signed-out page (GET /logout without a session).
 * @module
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppOptions } from '../../app.ts';
import type { Deps } from '../../deps.ts';
import type { RawParams } from '../../http/urlencoded.ts';
import { rejectOtherMethods } from '../../http/methods.ts';
import { asRawParams, assembleParams } from '../../oauth/params.ts';
import { ENDPOINTS } from '../../oauth/endpoints.ts';
import { endSession, readSession } from '../../core/sessions.ts';
import { formToken, isCrossSite, tokenMatches } from '../csrf.ts';
import { sendForbidden } from '../views/error_page.tsx';
import { sendPage } from '../views/send_page.ts';
import { checkLogoutRequest, checkLogoutReturn, LOGOUT_PARAMS, returnUrl, type LogoutReturn } from './logout_request.ts';
import { LogoutConfirmView, LogoutProblemView, SignedOutView } from './view.tsx';

/** The sign-out form's token: bound to the session and, for an RP-initiated sign-out, to where it returns. */
export function logoutToken(deps: Pick<Deps, 'formKey'>, sessionId: string, back?: LogoutReturn): string {
  const parts = back ? [back.clientId, back.uri, back.state ?? ''] : [];
  return formToken(deps.formKey, 'logout', sessionId, ...parts);
}

async function showLogout(deps: Deps, request: FastifyRequest, reply: FastifyReply, params: RawParams | undefined): Promise<FastifyReply> {
  const checked = await checkLogoutRequest(deps, [params]);
  const signedIn = await readSession(deps, request);
  if (!checked.ok) {
    const token = signedIn && logoutToken(deps, signedIn.session.id);
    return sendPage(reply, <LogoutProblemView problem={checked.problem} token={token} />, { status: 400 });
  }
  const { app, back } = checked;
  if (!signedIn) return sendPage(reply, <SignedOutView issuer={deps.config.issuer} app={app} back={back} />);
  const token = logoutToken(deps, signedIn.session.id, back);
  // The POST answers with a redirect to `back`, which Chromium checks against form-action (STACK trap 6).
  return sendPage(reply, <LogoutConfirmView email={signedIn.user.email} token={token} issuer={deps.config.issuer} app={app} back={back} />, back ? { redirectUri: back.uri } : {});
}

async function confirmLogout(deps: Deps, request: FastifyRequest, reply: FastifyReply, body: RawParams | undefined): Promise<FastifyReply> {
  if (isCrossSite(request, deps.config.issuer)) return sendForbidden(reply);
  const form = assembleParams(['token', 'client_id', 'post_logout_redirect_uri', 'state'], body);
  const signedIn = await readSession(deps, request);
  // The token covers the return the form carries, so a return added to our form fails here.
  const carried = form.client_id !== undefined && form.post_logout_redirect_uri !== undefined ? { clientId: form.client_id, uri: form.post_logout_redirect_uri, ...(form.state === undefined ? {} : { state: form.state }) } : undefined;
  if (signedIn && !tokenMatches(form.token, logoutToken(deps, signedIn.session.id, carried))) return sendForbidden(reply);
  // Checked again: the client may have dropped the address since the page was shown. One that no
  // longer checks out is not followed; the person asked to sign out, and is signed out.
  const checked = await checkLogoutReturn(deps, form.client_id, form.post_logout_redirect_uri, form.state);
  const back = checked.ok ? checked.back : undefined;
  await endSession(deps, request, reply);
  if (signedIn) {
    await deps.stores.audit.record({ type: 'user.signed_out', userId: signedIn.user.id, ip: request.ip, ...(back ? { appId: back.clientId } : {}) }, deps.clock.now());
  }
  return reply.code(303).header('clear-site-data', '"cookies"').header('location', back ? returnUrl(back) : ENDPOINTS.endSession).send();
}

export default async function logoutRoutes(app: FastifyInstance, { deps }: AppOptions): Promise<void> {
  app.get(ENDPOINTS.endSession, (request, reply) => showLogout(deps, request, reply, asRawParams(request.query)));

  app.post(ENDPOINTS.endSession, (request, reply) => {
    const body = asRawParams(request.body);
    // §2: a service may send its request as a form POST; without our token it only asks.
    const fromService = body?.token === undefined && LOGOUT_PARAMS.some((name) => body?.[name] !== undefined);
    return fromService ? showLogout(deps, request, reply, body) : confirmLogout(deps, request, reply, body);
  });

  rejectOtherMethods(app, ENDPOINTS.endSession, ['GET', 'POST']);
}
