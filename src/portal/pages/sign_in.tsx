/**
 * GET/POST /developers/sign-in: the portal's own sign-in form, for a developer without a
 * session and for confirming the password before secrets change (SECURITY 51). It checks
 * credentials exactly like /login (same check, same throttles) and starts a new session, whose
 * authTime is now; then it goes to /developers/apps, a fixed path (SECURITY 2).
 * @module
 */
import type { FastifyInstance } from 'fastify';
import type { AppOptions } from '../../app.ts';
import type { RawParams } from '../../http/urlencoded.ts';
import { assembleParams, asRawParams } from '../../oauth/params.ts';
import { readSession, startSession } from '../../core/sessions.ts';
import { formToken, isCrossSite, tokenMatches } from '../../interaction/csrf.ts';
import { sendForbidden } from '../../interaction/views/error_page.tsx';
import { sendPage } from '../../interaction/views/send_page.ts';
import { checkCredentials } from '../../interaction/login/credentials.ts';
import { throttledSignIn } from '../../interaction/login/throttle.ts';
import { rejectOtherMethods } from '../../http/methods.ts';
import { PortalSignInView } from './views.tsx';
import { PORTAL } from './paths.ts';

export default async function signInRoutes(app: FastifyInstance, { deps }: AppOptions): Promise<void> {
  const token = () => formToken(deps.formKey, 'portal-sign-in');

  app.get(PORTAL.signIn, async (request, reply) => {
    const { reauth } = assembleParams(['reauth'], request.query as RawParams);
    const signedIn = await readSession(deps, request);
    return sendPage(reply, <PortalSignInView token={token()} email={signedIn?.user.email} reauth={reauth === '1' && signedIn !== undefined} />);
  });

  app.post(PORTAL.signIn, async (request, reply) => {
    if (isCrossSite(request, deps.config.issuer)) return sendForbidden(reply);
    const form = assembleParams(['email', 'password', 'token'], asRawParams(request.body));
    if (!tokenMatches(form.token, token())) return sendForbidden(reply);
    const { user, retryAfter } = await throttledSignIn(deps.throttles, form.email, request.ip, () => checkCredentials(deps, form.email, form.password));
    if (retryAfter !== undefined) {
      reply.header('retry-after', String(retryAfter));
      return sendPage(reply, <PortalSignInView token={token()} email={form.email} throttled />, { status: 429 });
    }
    if (!user) return sendPage(reply, <PortalSignInView token={token()} email={form.email} failed />, { status: 401 });
    await startSession(deps, request, reply, user.id, ['pwd']);
    return reply.code(303).header('location', PORTAL.apps).send();
  });

  rejectOtherMethods(app, PORTAL.signIn, ['GET', 'POST']);
}
