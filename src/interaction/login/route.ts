/**
 * GET /login shows the sign-in form; POST /login signs in through the accounts service and goes
 * on: to the pending authorization, to a path of ours the form carries (`return_to`, checked by
 * domain/return_path.ts), or home. No other URL is taken from the request (SECURITY 2), and the
 * answer to the POST is 303 (SECURITY 8). A person with two-step verification gets no session here
 * but a pending sign-in, finished by a code at /login/code (./code_route.tsx).
 * @module
 */
import type { FastifyInstance } from 'fastify';
import type { AppOptions } from '../../deps.ts';
import type { RawParams } from '../../http/urlencoded.ts';
import { rejectOtherMethods } from '../../http/methods.ts';
import { callerOf, setPendingCookie, setSessionCookie } from '../../http/signed_in.ts';
import { asRawParams, assembleParams } from '../../http/params.ts';
import { InteractionExpired, loadLiveInteraction } from '../../services/interactions.ts';
import { PENDING_SECONDS, type Continuation } from '../../services/accounts/accounts.ts';
import { safeReturnPath } from '../../domain/return_path.ts';
import { sendErrorPage } from '../views/error_page.tsx';
import { LOGIN_FORM, sendSignInPage } from './page.tsx';
import { ACCOUNT_READY, PASSWORD_WAS_RESET, SIGN_IN_AGAIN } from './view.tsx';
import codeRoutes, { CODE_PATH } from './code_route.tsx';
import { afterSignIn } from './after_sign_in.ts';
import { directoryForEmail } from '../directory/find.ts';
import { sendContinuePage } from '../directory/pages.tsx';
import directoryRoutes from '../directory/route.ts';
import passkeySignInRoutes from './passkey_route.ts';

export const LOGIN_PATH = '/login';

export default async function loginRoutes(app: FastifyInstance, { deps }: AppOptions): Promise<void> {
  // `switch=1` (from "Not you?") needs nothing special: signing in always starts a new session.
  app.get(LOGIN_PATH, async (request, reply) => {
    const q = assembleParams(['interaction', 'created', 'email', 'method', 'return_to', 'reauth', 'reset'], request.query as RawParams);
    const notice = q.created === '1' ? ACCOUNT_READY : q.reauth === '1' ? SIGN_IN_AGAIN : q.reset === '1' ? PASSWORD_WAS_RESET : undefined;
    // `method=password` (from "Use a Tessera password instead"): a personal account whose email
    // is in a directory's domain signs in with its password (SECURITY 48: it stays separate).
    const forced = q.method === 'password' && q.email !== undefined && q.email.length <= 254;
    const step = forced ? { email: q.email, passwordStep: { forced } } : {};
    const returnTo = safeReturnPath(q.return_to);
    if (q.interaction === undefined) return sendSignInPage(deps, reply, { notice, returnTo, ...step });
    const live = await loadLiveInteraction(deps, q.interaction);
    if (!live) return sendErrorPage(reply, new InteractionExpired('sign-in for an unknown interaction'));
    return sendSignInPage(deps, reply, { ...live, notice, ...step });
  });

  app.post(LOGIN_PATH, { config: { csrf: LOGIN_FORM } }, async (request, reply) => {
    const form = assembleParams(['email', 'password', 'interaction', 'method', 'return_to'], asRawParams(request.body));
    const live = form.interaction === undefined ? undefined : await loadLiveInteraction(deps, form.interaction);
    if (form.interaction !== undefined && !live) return sendErrorPage(reply, new InteractionExpired('sign-in for an unknown interaction'));
    const returnTo = live ? undefined : safeReturnPath(form.return_to);

    // Email first (issue 3): an email whose domain belongs to a company directory signs in there;
    // any other email without a password gets the password step. Only the domain decides, so this
    // says nothing about which accounts exist (SECURITY 33).
    const forced = form.method === 'password';
    const directory = forced ? undefined : await directoryForEmail(deps, form.email);
    if (directory) return sendContinuePage(reply, { directory, interaction: live?.interaction, email: form.email });
    const page = { ...live, returnTo, email: form.email, ...(forced ? { passwordStep: { forced } } : {}) };
    if (form.password === undefined && form.email !== undefined) return sendSignInPage(deps, reply, { ...page, passwordStep: { forced } });

    const next: Continuation = { interactionId: live?.interaction.id ?? null, returnTo: returnTo ?? null };
    const outcome = await deps.accounts.signInWithPassword(form.email, form.password, next, callerOf(deps.config, request));
    switch (outcome.kind) {
      case 'throttled':
        return sendSignInPage(deps, reply, { ...page, retryAfter: outcome.retryAfter });
      case 'failed':
        return sendSignInPage(deps, reply, { ...page, failed: true });
      case 'second_factor':
        // The password was right; the session waits for the second factor (./code_route.tsx).
        setPendingCookie(deps.config, reply, outcome.pendingValue, PENDING_SECONDS);
        return reply.code(303).header('location', CODE_PATH).send();
      case 'session':
        setSessionCookie(deps.config, reply, outcome.opened);
        return afterSignIn(reply, next);
    }
  });

  rejectOtherMethods(app, LOGIN_PATH, ['GET', 'POST']);
  await app.register(codeRoutes, { deps });
  await app.register(passkeySignInRoutes, { deps });
  await app.register(directoryRoutes, { deps });
}
