/**
 * GET /login shows the sign-in form; POST /login signs in with a new session and continues the
 * pending authorization. The next step is always ours (resume or home): no URL is taken from
 * the request (SECURITY 2), and the answer to the POST is 303 (SECURITY 8). Repeated failures are
 * throttled (SECURITY 32, ./throttle.ts). A person with two-step verification gets no session
 * here but a pending sign-in, finished by a code at /login/code (./code_route.tsx).
 * @module
 */
import type { FastifyInstance } from 'fastify';
import type { AppOptions } from '../../app.ts';
import type { RawParams } from '../../http/urlencoded.ts';
import { rejectOtherMethods } from '../../http/methods.ts';
import { asRawParams, assembleParams } from '../../oauth/params.ts';
import { InteractionExpired, loadLiveInteraction, resumeUrl } from '../../oauth/authorize/interactions.ts';
import { startSession } from '../../core/sessions.ts';
import { isCrossSite, tokenMatches } from '../csrf.ts';
import { sendErrorPage, sendForbidden } from '../views/error_page.tsx';
import { checkCredentials } from './credentials.ts';
import { throttledSignIn } from './throttle.ts';
import { loginToken, sendSignInPage } from './page.tsx';
import { ACCOUNT_READY } from './view.tsx';
import { recordFailure } from './audit.ts';
import { hasSecondFactor } from '../account/second_factor.ts';
import { startPending } from './pending.ts';
import codeRoutes, { CODE_PATH } from './code_route.tsx';
import { directoryForEmail } from '../directory/find.ts';
import { sendContinuePage } from '../directory/pages.tsx';
import directoryRoutes from '../directory/route.ts';

export const LOGIN_PATH = '/login';

export default async function loginRoutes(app: FastifyInstance, { deps }: AppOptions): Promise<void> {
  // `switch=1` (from "Not you?") needs nothing special: signing in always starts a new session.
  app.get(LOGIN_PATH, async (request, reply) => {
    const { interaction: id, created, email, method } = assembleParams(['interaction', 'created', 'email', 'method'], request.query as RawParams);
    const notice = created === '1' ? ACCOUNT_READY : undefined;
    // `method=password` (from "Use a Tessera password instead"): a personal account whose email
    // is in a directory's domain signs in with its password (SECURITY 48: it stays separate).
    const forced = method === 'password' && email !== undefined && email.length <= 254;
    const step = forced ? { email, passwordStep: { forced } } : {};
    if (id === undefined) return sendSignInPage(deps, reply, { notice, ...step });
    const live = await loadLiveInteraction(deps, id);
    if (!live) return sendErrorPage(reply, new InteractionExpired('sign-in for an unknown interaction'));
    return sendSignInPage(deps, reply, { ...live, notice, ...step });
  });

  app.post(LOGIN_PATH, async (request, reply) => {
    if (isCrossSite(request, deps.config.issuer)) return sendForbidden(reply);
    const form = assembleParams(['email', 'password', 'interaction', 'token', 'method'], asRawParams(request.body));
    if (!tokenMatches(form.token, loginToken(deps, form.interaction))) return sendForbidden(reply);
    const live = form.interaction === undefined ? undefined : await loadLiveInteraction(deps, form.interaction);
    if (form.interaction !== undefined && !live) return sendErrorPage(reply, new InteractionExpired('sign-in for an unknown interaction'));

    // Email first (issue 3): an email whose domain belongs to a company directory signs in there;
    // any other email without a password gets the password step. Only the domain decides, so this
    // says nothing about which accounts exist (SECURITY 33).
    const forced = form.method === 'password';
    const directory = forced ? undefined : await directoryForEmail(deps, form.email);
    if (directory) return sendContinuePage(reply, { directory, interaction: live?.interaction, email: form.email });
    if (form.password === undefined && form.email !== undefined) return sendSignInPage(deps, reply, { ...live, email: form.email, passwordStep: { forced } });
    const passwordStep = forced ? { passwordStep: { forced } } : {};

    // SECURITY 32: a throttled attempt is refused before the password is hashed.
    const { user, retryAfter } = await throttledSignIn(deps.throttles, form.email, request.ip, () =>
      checkCredentials(deps, form.email, form.password),
    );
    if (retryAfter !== undefined) return sendSignInPage(deps, reply, { ...live, email: form.email, retryAfter, ...passwordStep });
    if (!user) {
      await recordFailure(deps, form.email, request.ip);
      return sendSignInPage(deps, reply, { ...live, email: form.email, failed: true, ...passwordStep });
    }
    if (await hasSecondFactor(deps, user.id)) {
      // The password was right; the session waits for the second factor (./code_route.tsx).
      await startPending(deps, reply, user.id, live?.interaction.id ?? null);
      return reply.code(303).header('location', CODE_PATH).send();
    }
    await startSession(deps, request, reply, user.id, ['pwd']);
    await deps.stores.audit.record({ type: 'user.signed_in', userId: user.id, ip: request.ip, detail: { amr: ['pwd'] } }, deps.clock.now());
    return reply.code(303).header('location', live ? resumeUrl(live.interaction.id) : '/').send();
  });

  rejectOtherMethods(app, LOGIN_PATH, ['GET', 'POST']);
  await app.register(codeRoutes, { deps });
  await app.register(directoryRoutes, { deps });
}
