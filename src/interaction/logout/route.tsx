/**
 * Sign-out, and the end_session_endpoint of OpenID Connect RP-Initiated Logout 1.0 (SECURITY 38).
 *
 * - GET or POST /logout (§2: both methods are supported): the request is checked
 *   (logout_request.ts) and nothing changes. Signed in: the confirmation page, always, naming the
 *   service. Signed out: "You are signed out", with a link back only to an address registered for
 *   the service. A refused request gets an error page and never a redirect.
 * - POST /logout/confirm, the confirmation form — not cross-site, with a token bound to the
 *   session and to the return it carries, checked by the form guard (src/http/form_guard.ts);
 *   without a session no token matches (issue 13, defect 5) — ends the session, clears the cookie
 *   and asks the browser to drop the site's cookies (Clear-Site-Data), then 303 to the registered
 *   address with `state` (§3), or to the signed-out page (GET /logout without a session).
 * @module
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppOptions } from '../../deps.ts';
import type { Deps } from '../../deps.ts';
import type { RawParams } from '../../http/urlencoded.ts';
import { rejectOtherMethods } from '../../http/methods.ts';
import { asRawParams, assembleParams } from '../../http/params.ts';
import { ENDPOINTS } from '../../oauth/endpoints.ts';
import { callerOf, clearSessionCookie, requireSignIn } from '../../http/signed_in.ts';
import { sendForbidden } from '../views/error_page.tsx';
import { exempt, fieldOf, formRule, formToken } from '../../http/form_guard.ts';
import { sendPage } from '../views/send_page.ts';
import { checkLogoutRequest, checkLogoutReturn, returnUrl, type LogoutReturn } from './logout_request.ts';
import { LogoutConfirmView, LogoutProblemView, SignedOutView } from './view.tsx';

/** Where the sign-out form posts. */
export const LOGOUT_CONFIRM_PATH = `${ENDPOINTS.endSession}/confirm`;

/** The sign-out form's token: bound to the session and, for an RP-initiated sign-out, to where it returns. */
export function logoutToken(deps: Pick<Deps, 'formKey'>, sessionId: string, back?: LogoutReturn): string {
  return formToken(deps.formKey, sessionId, 'logout', ...returnParts(back));
}

/** A return is carried only with both the service and its address; the token covers all of it. */
function returnParts(back: LogoutReturn | undefined): (string | undefined)[] {
  return back ? [back.clientId, back.uri, back.state] : [];
}

function carriedReturn(body: unknown): LogoutReturn | undefined {
  const [clientId, uri, state] = ['client_id', 'post_logout_redirect_uri', 'state'].map((name) => fieldOf(body, name));
  return clientId !== undefined && uri !== undefined ? { clientId, uri, ...(state === undefined ? {} : { state }) } : undefined;
}

const LOGOUT_FORM = formRule('logout', (request) => returnParts(carriedReturn(request.body)));

async function showLogout(deps: Deps, request: FastifyRequest, reply: FastifyReply, params: RawParams | undefined): Promise<FastifyReply> {
  const checked = await checkLogoutRequest(deps, [params]);
  const signedIn = await request.signedIn();
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
  const form = assembleParams(['client_id', 'post_logout_redirect_uri', 'state'], body);
  const signedIn = await request.signedIn();
  // Checked again: the client may have dropped the address since the page was shown. One that no
  // longer checks out is not followed; the person asked to sign out, and is signed out.
  const checked = await checkLogoutReturn(deps, form.client_id, form.post_logout_redirect_uri, form.state);
  const back = checked.ok ? checked.back : undefined;
  const caller = callerOf(deps.config, request);
  await deps.accounts.signOut(signedIn, caller.presentedSession, caller, back?.clientId);
  // The logout tokens were written with the ending (Back-Channel Logout §2.5); send them now, without waiting.
  deps.outbound.wake();
  clearSessionCookie(deps.config, reply);
  return reply.code(303).header('clear-site-data', '"cookies"').header('location', back ? returnUrl(back) : ENDPOINTS.endSession).send();
}

export default async function logoutRoutes(app: FastifyInstance, { deps }: AppOptions): Promise<void> {
  app.get(ENDPOINTS.endSession, (request, reply) => showLogout(deps, request, reply, asRawParams(request.query)));

  // §2: a service may send its request as a form POST; it only asks, like the GET.
  app.post(ENDPOINTS.endSession, { config: { csrf: exempt('RP-initiated logout request: shows a page, changes nothing') } }, (request, reply) =>
    showLogout(deps, request, reply, asRawParams(request.body)),
  );
  // Nothing to end without a session: refused before any other check, so no return is followed (defect 5).
  const onRequest = requireSignIn((_request, reply) => sendForbidden(reply));
  app.post(LOGOUT_CONFIRM_PATH, { onRequest, config: { csrf: LOGOUT_FORM } }, (request, reply) => confirmLogout(deps, request, reply, asRawParams(request.body)));

  rejectOtherMethods(app, ENDPOINTS.endSession, ['GET', 'POST']);
  rejectOtherMethods(app, LOGOUT_CONFIRM_PATH, ['POST']);
}
