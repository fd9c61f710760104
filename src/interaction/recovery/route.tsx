/**
 * Account recovery pages (issue 15), through the accounts service (services/accounts/recovery.ts):
 *
 * - GET/POST /forgot-password: the form, and one answer whatever the address names (SECURITY 33);
 *   429 with Retry-After past the per-network throttle.
 * - GET /reset-password?link=…: checks the link without using it (mail scanners open links) and
 *   shows the form, or why the link cannot be used (400 unknown, 410 used / expired / stale).
 * - POST /reset-password: a pre-session form whose token is bound to the link's id; on success,
 *   303 to the sign-in page (SECURITY 8). An account whose only second factor is a passkey sets
 *   its password through ./passkey_route.ts instead (our script, JSON).
 *
 * The request log keeps paths only (ops/logger.ts), so the link in the query never reaches it.
 * @module
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { AppOptions, Deps } from '../../deps.ts';
import type { RawParams } from '../../http/urlencoded.ts';
import { rejectOtherMethods } from '../../http/methods.ts';
import { fieldOf, formToken, preSessionFormRule } from '../../http/form_guard.ts';
import { callerOf } from '../../http/signed_in.ts';
import { asRawParams, assembleParams } from '../../http/params.ts';
import { linkIdOf } from '../../crypto/account_links.ts';
import { accountLinkKey } from '../../crypto/derived_keys.ts';
import { emailDomain } from '../../domain/directories.ts';
import { PASSWORD_PROBLEMS } from '../../services/accounts/password_policy.ts';
import { sendPage } from '../views/send_page.ts';
import { TOO_MANY } from '../login/view.tsx';
import { directoryForEmail } from '../directory/find.ts';
import { AFTER_RESET, FORGOT_PATH, RESET_PATH } from './paths.ts';
import { ForgotView, INVALID_EMAIL, ResetSentView } from './forgot_view.tsx';
import { LINK_PROBLEMS, LinkProblemView, PASSWORDS_DIFFER, PasskeyAccountView, ResetView, USE_PASSKEY, WRONG_RESET_CODE, WorkAccountView } from './reset_view.tsx';

type UnusableLink = Exclude<Awaited<ReturnType<Deps['accounts']['checkResetLink']>>, { kind: 'ok' }>;

const FORGOT_FORM = preSessionFormRule('forgot-password');

function forgotToken(deps: Pick<Deps, 'formKey'>): string {
  return formToken(deps.formKey, null, 'forgot-password');
}

export default async function recoveryRoutes(app: FastifyInstance, { deps }: AppOptions): Promise<void> {
  const linkKey = accountLinkKey(deps.formKey);
  const resetToken = (linkId: string) => formToken(deps.formKey, null, 'reset-password', linkId);

  app.get(FORGOT_PATH, async (_request, reply) => sendPage(reply, <ForgotView token={forgotToken(deps)} />));

  app.post(FORGOT_PATH, { config: { csrf: FORGOT_FORM } }, async (request, reply) => {
    const { email } = assembleParams(['email'], asRawParams(request.body));
    const outcome = await deps.accounts.requestPasswordReset(email, callerOf(deps.config, request));
    switch (outcome.kind) {
      case 'invalid':
        return sendPage(reply, <ForgotView token={forgotToken(deps)} email={email} problem={INVALID_EMAIL} />, { status: 400 });
      case 'throttled':
        reply.header('retry-after', String(outcome.retryAfter));
        return sendPage(reply, <ForgotView token={forgotToken(deps)} email={email} problem={TOO_MANY} />, { status: 429 });
      case 'accepted': {
        deps.mail.wake();
        const directory = await directoryForEmail(deps, email);
        const shown = directory && { domain: emailDomain(email ?? '') ?? '', name: directory.name };
        return sendPage(reply, <ResetSentView directory={shown} />);
      }
    }
  });
  rejectOtherMethods(app, FORGOT_PATH, ['GET', 'POST']);

  /**
   * The form for a good link (with `problem` and `status` after a refused attempt), or why the link
   * is not good. With a passkey to offer, our script runs its ceremony and the page's CSP allows
   * it from 'self' only (`scripts`, issue 16).
   */
  async function showLink(reply: FastifyReply, link: string | undefined, problem?: string, status = 200): Promise<FastifyReply> {
    const checked = await deps.accounts.checkResetLink(link);
    switch (checked.kind) {
      case 'refused':
      case 'work_account':
      case 'passkey_account':
        return sendUnusable(reply, checked);
      case 'ok': {
        const factors = { ...checked.factors, passkey: checked.factors.passkey && deps.accounts.passkeysOffered() };
        const page = <ResetView token={resetToken(checked.link.id)} link={link!} email={checked.user.email} factors={factors} problem={problem} />;
        return sendPage(reply, page, { status, scripts: factors.passkey });
      }
    }
  }

  // GET never uses the link: only the POST does.
  app.get(RESET_PATH, async (request, reply) => showLink(reply, assembleParams(['link'], request.query as RawParams).link));

  // Bound to the link: a token of another link's page (or of none) cannot post this one.
  const csrf = preSessionFormRule('reset-password', (request) => [linkIdOf(linkKey, 'reset_password', fieldOf(request.body, 'link'))]);
  app.post(RESET_PATH, { config: { csrf } }, async (request, reply) => {
    const form = assembleParams(['link', 'password', 'confirm', 'code'], asRawParams(request.body));
    const password = form.password ?? '';
    if (password !== (form.confirm ?? '')) return showLink(reply, form.link, PASSWORDS_DIFFER, 400);
    const outcome = await deps.accounts.resetPassword(form.link, password, form.code, callerOf(deps.config, request));
    switch (outcome.kind) {
      case 'reset':
        return reply.code(303).header('location', AFTER_RESET).send();
      case 'weak':
        return showLink(reply, form.link, PASSWORD_PROBLEMS[outcome.problem], 400);
      case 'wrong_code':
        return showLink(reply, form.link, WRONG_RESET_CODE, 401);
      case 'throttled':
        reply.header('retry-after', String(outcome.retryAfter));
        return showLink(reply, form.link, TOO_MANY, 429);
      case 'passkey_required':
        return showLink(reply, form.link, USE_PASSKEY, 400);
      case 'refused':
      case 'work_account':
      case 'passkey_account':
        return sendUnusable(reply, outcome);
    }
  });
  rejectOtherMethods(app, RESET_PATH, ['GET', 'POST']);
}

/** A link that cannot set a password: used, expired, stale or unknown; a work account's; a passkey-only account's. */
function sendUnusable(reply: FastifyReply, unusable: UnusableLink): FastifyReply {
  switch (unusable.kind) {
    case 'refused':
      return sendPage(reply, <LinkProblemView problem={unusable.problem} />, { status: LINK_PROBLEMS[unusable.problem].status });
    case 'work_account':
      return sendPage(reply, <WorkAccountView directory={unusable.directory} />, { status: 400 });
    case 'passkey_account':
      return sendPage(reply, <PasskeyAccountView />, { status: 400 });
  }
}
