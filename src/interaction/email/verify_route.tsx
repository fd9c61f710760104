/**
 * GET /verify-email?link=… shows a button; POST /verify-email uses the link (issue 15). The GET
 * changes nothing, because mail scanners and link previews open links before the person does. The
 * link names its account, so this works signed in or not (as whoever), and its form token is bound
 * to nothing but the link (a sign-in step's rule, before any session: src/http/form_guard.ts).
 *
 * A sign-up's link used in the browser that signed up (its sign-up cookie, issue 20) also signs
 * the new account in, through the accounts service, and goes on (303, SECURITY 8): to the pending
 * authorization it started from, by its interaction id only and while it is live (SECURITY 2),
 * else home. Anywhere else the address is confirmed and the page says to sign in.
 * @module
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppOptions, Deps } from '../../deps.ts';
import type { RawParams } from '../../http/urlencoded.ts';
import { rejectOtherMethods } from '../../http/methods.ts';
import { fieldOf, formToken, preSessionFormRule } from '../../http/form_guard.ts';
import { callerOf, clearSignUpCookie, setSessionCookie, signUpCookie } from '../../http/signed_in.ts';
import { loadLiveInteraction, resumeUrl } from '../../services/interactions.ts';
import { asRawParams, assembleParams } from '../../http/params.ts';
import { LINK_PATHS, PAGE_PATHS } from '../../mail/links.ts';
import { sendPage } from '../views/send_page.ts';
import { ConfirmLinkView, EmailMessageView, linkRefusal, type Next } from './views.tsx';

export const VERIFY_PATH = LINK_PATHS.verify_email;

export function verifyToken(deps: Pick<Deps, 'formKey'>, link: string | undefined): string {
  return formToken(deps.formKey, null, 'verify_email', link);
}

const VERIFY_FORM = preSessionFormRule('verify_email', (request) => [fieldOf(request.body, 'link')]);

const NEW_LINK = 'Sign in and open your profile to get a new link.';

/** After the page: the profile when signed in, else the sign-in page. */
async function nextStep(request: FastifyRequest): Promise<Next> {
  return (await request.signedIn()) ? { href: PAGE_PATHS.profile, label: 'Go to your profile' } : { href: PAGE_PATHS.signIn, label: 'Sign in' };
}

async function sendMessage(request: FastifyRequest, reply: FastifyReply, status: number, title: string, lines: string[]): Promise<FastifyReply> {
  return sendPage(reply, <EmailMessageView title={title} lines={lines} next={await nextStep(request)} />, { status });
}

const ALREADY: [string, string[]] = ['Your address is already confirmed', ['There is nothing more to do.']];

export default async function verifyEmailRoutes(app: FastifyInstance, { deps }: AppOptions): Promise<void> {
  app.get(VERIFY_PATH, async (request, reply) => {
    const { link } = assembleParams(['link'], request.query as RawParams);
    const state = await deps.accounts.verifyLinkState(link);
    if (state.kind === 'already') return sendMessage(request, reply, 200, ...ALREADY);
    if (state.kind === 'refused') {
      const refusal = linkRefusal(state.problem, NEW_LINK);
      return sendMessage(request, reply, refusal.status, refusal.title, refusal.lines);
    }
    return sendPage(
      reply,
      <ConfirmLinkView
        title="Confirm your email address"
        lines={[`Confirm that ${state.user.email} is your address. Organizations can then add you with it, and you can accept their invitations.`]}
        action={VERIFY_PATH}
        link={link ?? ''}
        token={verifyToken(deps, link)}
        button="Confirm my address"
      />,
    );
  });

  app.post(VERIFY_PATH, { config: { csrf: VERIFY_FORM } }, async (request, reply) => {
    const { link } = assembleParams(['link'], asRawParams(request.body));
    const outcome = await deps.accounts.verifyEmail(link, callerOf(deps.config, request), signUpCookie(deps.config, request));
    switch (outcome.kind) {
      case 'signed_in': {
        setSessionCookie(deps.config, reply, outcome.opened);
        clearSignUpCookie(deps.config, reply);
        const { interactionId } = outcome.continuation;
        const live = interactionId === null ? undefined : await loadLiveInteraction(deps, interactionId);
        return reply.code(303).header('location', live ? resumeUrl(live.interaction.id) : '/').send();
      }
      case 'verified':
        return sendMessage(request, reply, 200, 'Your address is confirmed', [`${outcome.user.email} is now confirmed. Organizations can add you with it, and you can accept their invitations.`]);
      case 'already':
        return sendMessage(request, reply, 200, ...ALREADY);
      case 'refused': {
        const refusal = linkRefusal(outcome.problem, NEW_LINK);
        return sendMessage(request, reply, refusal.status, refusal.title, refusal.lines);
      }
    }
  });

  rejectOtherMethods(app, VERIFY_PATH, ['GET', 'POST']);
}
