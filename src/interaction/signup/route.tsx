/**
 * GET /signup shows the form; POST /signup creates a personal account. Whether the email was new
 * or already taken, the answer is the same 200 "Check your inbox" page naming the address, with
 * the same cookie (SECURITY 33: sign-up must not reveal which emails have accounts; the owner of a
 * taken address is mailed a word instead of a link). The password is hashed in both cases so the
 * timing matches. The cookie binds the mailed link to this browser (issue 20): opened here, it
 * signs the new account in and continues the pending authorization, through its interaction id
 * only (SECURITY 2; src/interaction/email/verify_route.tsx). Sign-ups count against the
 * per-address sign-in throttle.
 * @module
 */
import type { FastifyInstance } from 'fastify';
import type { AppOptions } from '../../deps.ts';
import type { Deps } from '../../deps.ts';
import type { RawParams } from '../../http/urlencoded.ts';
import { MAX_NAME_CHARS, isPlausibleEmail, normalizeEmail } from '../../domain/users.ts';
import { rejectOtherMethods } from '../../http/methods.ts';
import { fieldOf, formToken, preSessionFormRule } from '../../http/form_guard.ts';
import { callerOf, setSignUpCookie } from '../../http/signed_in.ts';
import { asRawParams, assembleParams } from '../../http/params.ts';
import { InteractionExpired, loadLiveInteraction } from '../../services/interactions.ts';
import { PASSWORD_PROBLEMS, passwordProblem } from '../../services/accounts/password_policy.ts';
import { sendErrorPage } from '../views/error_page.tsx';
import { sendPage } from '../views/send_page.ts';
import { TOO_MANY } from '../login/view.tsx';
import { SignUpView } from './view.tsx';
import { CheckInboxView } from './check_inbox_view.tsx';

export const SIGNUP_PATH = '/signup';

function signUpToken(deps: Pick<Deps, 'formKey'>, interactionId: string | undefined): string {
  return formToken(deps.formKey, null, 'signup', interactionId);
}

const SIGNUP_FORM = preSessionFormRule('signup', (request) => [fieldOf(request.body, 'interaction')]);

/** Where a passkey sign-up goes on (./passkey_route.ts): our sign-in page, for the same interaction. */
export function signedUpLocation(interactionId: string | undefined): string {
  const query = new URLSearchParams({ created: '1' });
  if (interactionId !== undefined) query.set('interaction', interactionId);
  return `/login?${query}`;
}

function formProblem(name: string, email: string, password: string): string | undefined {
  if (name === '' || [...name].length > MAX_NAME_CHARS) return `Enter your name (at most ${MAX_NAME_CHARS} characters).`;
  if (!isPlausibleEmail(email)) return 'Enter a valid email address.';
  const problem = passwordProblem(password);
  return problem && PASSWORD_PROBLEMS[problem];
}

export default async function signUpRoutes(app: FastifyInstance, { deps }: AppOptions): Promise<void> {
  app.get(SIGNUP_PATH, async (request, reply) => {
    const { interaction: id } = assembleParams(['interaction'], request.query as RawParams);
    if (id !== undefined && !(await loadLiveInteraction(deps, id))) return sendErrorPage(reply, new InteractionExpired('sign-up for an unknown interaction'));
    return sendPage(reply, <SignUpView passkeys={deps.accounts.passkeysOffered()} token={signUpToken(deps, id)} interactionId={id} />, { scripts: deps.accounts.passkeysOffered() });
  });

  app.post(SIGNUP_PATH, { config: { csrf: SIGNUP_FORM } }, async (request, reply) => {
    const form = assembleParams(['name', 'email', 'password', 'interaction'], asRawParams(request.body));
    const live = form.interaction === undefined ? undefined : await loadLiveInteraction(deps, form.interaction);
    if (form.interaction !== undefined && !live) return sendErrorPage(reply, new InteractionExpired('sign-up for an unknown interaction'));
    const name = (form.name ?? '').trim();
    const email = normalizeEmail(form.email ?? '');
    const password = form.password ?? '';
    const problem = formProblem(name, email, password);
    if (problem !== undefined) {
      return sendPage(reply, <SignUpView passkeys={deps.accounts.passkeysOffered()} token={signUpToken(deps, form.interaction)} interactionId={form.interaction} name={name} email={email} problem={problem} />, {
        status: 400,
        scripts: deps.accounts.passkeysOffered(),
      });
    }
    // The accounts service throttles sign-ups per address; a taken email answers the same (SECURITY 33).
    const outcome = await deps.accounts.signUp({ email, name, password }, callerOf(deps.config, request), live?.interaction.id ?? null);
    if (outcome.kind === 'throttled') {
      reply.header('retry-after', String(outcome.retryAfter));
      return sendPage(reply, <SignUpView passkeys={deps.accounts.passkeysOffered()} token={signUpToken(deps, form.interaction)} interactionId={form.interaction} name={name} email={email} problem={TOO_MANY} />, {
        status: 429,
        scripts: deps.accounts.passkeysOffered(),
      });
    }
    setSignUpCookie(deps.config, reply, outcome.browserValue);
    const interaction = live && { id: live.interaction.id, appName: live.app.name };
    return sendPage(reply, <CheckInboxView email={email} interaction={interaction} />);
  });

  rejectOtherMethods(app, SIGNUP_PATH, ['GET', 'POST']);
}
