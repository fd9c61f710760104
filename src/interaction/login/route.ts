/**
 * GET /login shows the sign-in page, email first (./view.tsx); POST /login with the email alone
 * answers the next step (a company directory, or the password step for every other address),
 * and with a password signs in through the accounts service and goes on: to the pending
 * authorization, to a path of ours the form carries (`return_to`, checked by
 * domain/return_path.ts), or home. No other URL is taken from the request (SECURITY 2), and the
 * answer to a sign-in is 303 (SECURITY 8). A person with two-step verification gets no session
 * here but a pending sign-in, finished by a code or a passkey at /login/code (./code_route.tsx).
 * `reauth=1` asks a signed-in person to confirm who they are (a sensitive change, SECURITY 51;
 * step-up before a high-privilege approval, issue 16) with their own account's step.
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
import { ACCOUNT_READY, CONFIRM_TO_APPROVE, PASSWORD_WAS_RESET, SIGN_IN_AGAIN, type SignInStep } from './view.tsx';
import type { User } from '../../domain/users.ts';
import type { Deps } from '../../deps.ts';
import codeRoutes, { CODE_PATH } from './code_route.tsx';
import { afterSignIn } from './after_sign_in.ts';
import { directoryForEmail } from '../directory/find.ts';
import { sendContinuePage } from '../directory/pages.tsx';
import directoryRoutes from '../directory/route.ts';
import passkeySignInRoutes from './passkey_route.ts';

export const LOGIN_PATH = '/login';

const EMAIL_STEP: SignInStep = { kind: 'email' };

/**
 * `reauth=1` with a session (a sensitive change, or step-up before an approval, issue 16): the
 * step for the signed-in person's own account, whose address and ways in their session already
 * knows, so nothing is revealed to anybody else. A work account goes back through its directory
 * (the email step, which sends it there); an account with only passkeys gets the passkey step; any
 * other, its password (then its second factor, as at every sign-in), never the directory of its
 * address's domain (SECURITY 48).
 */
function confirmStep(deps: Pick<Deps, 'accounts'>, user: User): { email: string; step: SignInStep } {
  if (user.kind === 'work') return { email: user.email, step: EMAIL_STEP };
  if (user.passwordHash === null && deps.accounts.passkeysOffered()) return { email: user.email, step: { kind: 'passkey' } };
  return { email: user.email, step: { kind: 'password', forced: true } };
}

export default async function loginRoutes(app: FastifyInstance, { deps }: AppOptions): Promise<void> {
  // `switch=1` (from "Not you?") needs nothing special: signing in always starts a new session.
  app.get(LOGIN_PATH, async (request, reply) => {
    const q = assembleParams(['interaction', 'created', 'email', 'method', 'return_to', 'reauth', 'reset'], request.query as RawParams);
    const live = q.interaction === undefined ? undefined : await loadLiveInteraction(deps, q.interaction);
    if (q.interaction !== undefined && !live) return sendErrorPage(reply, new InteractionExpired('sign-in for an unknown interaction'));
    const reauth = q.reauth === '1';
    const notice = q.created === '1' ? ACCOUNT_READY : reauth ? (live ? CONFIRM_TO_APPROVE : SIGN_IN_AGAIN) : q.reset === '1' ? PASSWORD_WAS_RESET : undefined;
    // `method=password` (from "Use a Tessera password instead"): a personal account whose email
    // is in a directory's domain signs in with its password (SECURITY 48: it stays separate).
    const forced = q.method === 'password' && q.email !== undefined && q.email.length <= 254;
    const signedIn = reauth && !forced ? await request.signedIn() : undefined;
    const step = forced ? { email: q.email, step: { kind: 'password', forced } as const } : signedIn ? confirmStep(deps, signedIn.user) : {};
    const page = live ?? { returnTo: safeReturnPath(q.return_to) };
    return sendSignInPage(deps, reply, { ...page, notice, ...step });
  });

  app.post(LOGIN_PATH, { config: { csrf: LOGIN_FORM } }, async (request, reply) => {
    const form = assembleParams(['email', 'password', 'interaction', 'method', 'return_to'], asRawParams(request.body));
    const live = form.interaction === undefined ? undefined : await loadLiveInteraction(deps, form.interaction);
    if (form.interaction !== undefined && !live) return sendErrorPage(reply, new InteractionExpired('sign-in for an unknown interaction'));
    const returnTo = live ? undefined : safeReturnPath(form.return_to);

    // Email first (issue 3, issue 16): an email whose domain belongs to a company directory signs
    // in there; any other email without a password gets the password step. Only the domain
    // decides, so this says nothing about which accounts exist (SECURITY 33).
    const forced = form.method === 'password';
    const directory = forced ? undefined : await directoryForEmail(deps, form.email);
    if (directory) return sendContinuePage(reply, { directory, interaction: live?.interaction, email: form.email });
    // Every other address gets the password step: known or not, with a passkey or not, the same
    // page, from the same work (no account is looked up here; SECURITY 33, issue 16). A person
    // whose account has only passkeys uses the page's passkey button, which needs no address.
    const page = { ...live, returnTo, email: form.email, step: form.email === undefined ? EMAIL_STEP : ({ kind: 'password', forced } as const) };
    if (form.password === undefined && form.email !== undefined) return sendSignInPage(deps, reply, page);

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
