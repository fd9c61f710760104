/**
 * GET /profile/email/confirm?link=… shows a button; POST uses the change-of-address link mailed
 * to the new address (issue 15). The GET changes nothing (mail scanners open links). The link
 * changes only the account that asked for it, and only while it is signed in: its form is a
 * signed-in form bound to the session and to the link (src/http/form_guard.ts).
 *
 * It sits outside the profile's area so that a signed-out GET can say what to do (sign in, then
 * open the link again) instead of losing the link in a redirect: a return path never carries a
 * query (domain/return_path.ts).
 * @module
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { AppOptions, Deps } from '../../deps.ts';
import type { RawParams } from '../../http/urlencoded.ts';
import { rejectOtherMethods } from '../../http/methods.ts';
import { fieldOf, formRule, formToken } from '../../http/form_guard.ts';
import { callerOf, signedInOf } from '../../http/signed_in.ts';
import { asRawParams, assembleParams } from '../../http/params.ts';
import { LINK_PATHS, PAGE_PATHS } from '../../mail/links.ts';
import { sendPage } from '../views/send_page.ts';
import { signedInPage } from '../guards.ts';
import { ConfirmLinkView, EmailMessageView, linkRefusal, type Next } from './views.tsx';

export const CONFIRM_CHANGE_PATH = LINK_PATHS.change_email;

export function changeToken(deps: Pick<Deps, 'formKey'>, sessionId: string, link: string | undefined): string {
  return formToken(deps.formKey, sessionId, 'change_email', link);
}

const CHANGE_FORM = formRule('change_email', (request) => [fieldOf(request.body, 'link')]);

const ASK_AGAIN = 'To change your address, ask again on your profile.';
const PROFILE: Next = { href: PAGE_PATHS.profile, label: 'Go to your profile' };

function sendMessage(reply: FastifyReply, status: number, title: string, lines: string[], next = PROFILE): FastifyReply {
  return sendPage(reply, <EmailMessageView title={title} lines={lines} next={next} />, { status });
}

function sendOtherAccount(reply: FastifyReply): FastifyReply {
  return sendMessage(reply, 403, 'This link is for another account', ['Sign out, then sign in with the account that asked for the change and open the link again.']);
}

export default async function changeEmailRoutes(app: FastifyInstance, { deps }: AppOptions): Promise<void> {
  app.get(CONFIRM_CHANGE_PATH, async (request, reply) => {
    const { link } = assembleParams(['link'], request.query as RawParams);
    const signedIn = await request.signedIn();
    if (!signedIn) {
      return sendMessage(reply, 200, 'Sign in to change your address', ['Sign in with the account that asked for the change, then open the link in the mail again.'], {
        href: `${PAGE_PATHS.signIn}?return_to=${PAGE_PATHS.profile}`,
        label: 'Sign in',
      });
    }
    const state = await deps.accounts.changeLinkState(link, signedIn.user);
    if (state.kind === 'other_account') return sendOtherAccount(reply);
    if (state.kind === 'refused') {
      const refusal = linkRefusal(state.problem, ASK_AGAIN);
      return sendMessage(reply, refusal.status, refusal.title, refusal.lines);
    }
    return sendPage(
      reply,
      <ConfirmLinkView
        title="Change your email address"
        lines={[`Change the address of your account from ${state.user.email} to ${state.link.email}?`, 'Mail about your account will go to the new address, and the old one gets a notice of the change.']}
        action={CONFIRM_CHANGE_PATH}
        link={link ?? ''}
        token={changeToken(deps, signedIn.session.id, link)}
        button="Change my address"
      />,
    );
  });

  app.post(CONFIRM_CHANGE_PATH, { onRequest: signedInPage, config: { csrf: CHANGE_FORM } }, async (request, reply) => {
    const signedIn = await signedInOf(request);
    const { link } = assembleParams(['link'], asRawParams(request.body));
    const outcome = await deps.accounts.confirmEmailChange(link, signedIn.user, callerOf(deps.config, request));
    switch (outcome.kind) {
      case 'changed':
        deps.mail.wake();
        return reply.code(303).header('location', `${PAGE_PATHS.profile}?done=email_changed`).send();
      case 'taken':
        return sendMessage(reply, 409, 'That address is taken', [
          `Another account started using ${outcome.email} after you asked, so your address stays ${signedIn.user.email}. Nothing changed.`,
        ]);
      case 'other_account':
        return sendOtherAccount(reply);
      case 'refused': {
        const refusal = linkRefusal(outcome.problem, ASK_AGAIN);
        return sendMessage(reply, refusal.status, refusal.title, refusal.lines);
      }
    }
  });

  rejectOtherMethods(app, CONFIRM_CHANGE_PATH, ['GET', 'POST']);
}
