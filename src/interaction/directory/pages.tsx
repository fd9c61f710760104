/**
 * The pages of work-account sign-in: choosing a directory, the hand-over to it, and the one
 * error page every upstream failure ends on (fixed text, 4xx, no session; SECURITY 44, 47).
 * @module
 */
import type { FastifyReply } from 'fastify';
import type { Deps } from '../../deps.ts';
import type { Directory } from '../../domain/directories.ts';
import type { Interaction } from '../../domain/interactions.ts';
import { fieldOf, formToken, preSessionFormRule } from '../../http/form_guard.ts';
import { sendMessagePage } from '../views/error_page.tsx';
import { sendPage } from '../views/send_page.ts';
import { startUrl } from './paths.ts';
import { ContinueView, WorkAccountView } from './views.tsx';

export const UPSTREAM_FAILED = 'Your company directory could not sign you in. Go back to the sign-in page and try again; if it keeps failing, ask your administrator.';

/** The work-account form: no session yet; bound to the pending authorization it continues. */
export const WORK_FORM = preSessionFormRule('login-directory', (request) => [fieldOf(request.body, 'interaction')]);

function workToken(deps: Pick<Deps, 'formKey'>, interactionId: string | undefined): string {
  return formToken(deps.formKey, null, 'login-directory', interactionId);
}

export function sendWorkAccountPage(
  deps: Pick<Deps, 'formKey'>,
  reply: FastifyReply,
  page: { directories: Directory[]; interaction?: Interaction; email?: string; unknownDomain?: boolean },
): FastifyReply {
  const id = page.interaction?.id;
  return sendPage(
    reply,
    <WorkAccountView
      token={workToken(deps, id)}
      interactionId={id}
      email={page.email}
      unknownDomain={page.unknownDomain}
      directories={page.directories.map((d) => ({ name: d.name, href: startUrl(d.id, id, undefined) }))}
    />,
    { status: page.unknownDomain ? 400 : 200 },
  );
}

/**
 * The hand-over: a page that moves on to the directory by itself (`Refresh`), with a link too.
 * Not a redirect from the sign-in POST: a browser applies the sign-in page's CSP `form-action`
 * to every redirect after a form post (STACK trap 6), and the directory is another origin.
 */
export function sendContinuePage(
  reply: FastifyReply,
  page: { directory: Directory; interaction?: Interaction; email?: string },
): FastifyReply {
  const next = startUrl(page.directory.id, page.interaction?.id, page.email);
  const password = new URLSearchParams({ method: 'password', ...(page.email ? { email: page.email } : {}), ...(page.interaction ? { interaction: page.interaction.id } : {}) });
  reply.header('refresh', `0; url=${next}`);
  return sendPage(reply, <ContinueView directoryName={page.directory.name} next={next} passwordHref={`/login?${password}`} />);
}

export function sendUpstreamFailure(reply: FastifyReply): FastifyReply {
  return sendMessagePage(reply, 400, 'Sign-in failed', UPSTREAM_FAILED);
}
