/**
 * Work-account sign-in (issue 3):
 * - GET/POST /login/directory: "Sign in with your work account": a work email, or a directory picked;
 * - GET /login/directory/start: begins the code flow at the directory (./upstream.ts) with a
 *   transaction bound to this browser (./transaction.ts) and 303s there;
 * - GET /login/directory/callback: takes the transaction once, checks the answer and the ID
 *   token, signs the (issuer, subject) account in and continues the pending authorization.
 * Any failure there ends on one error page (400, fixed text) with no session (SECURITY 47).
 * @module
 */
import type { FastifyInstance } from 'fastify';
import type { AppOptions } from '../../deps.ts';
import type { RawParams } from '../../http/urlencoded.ts';
import { rejectOtherMethods } from '../../http/methods.ts';
import { asRawParams, assembleParams } from '../../http/params.ts';
import { InteractionExpired, loadLiveInteraction } from '../../services/interactions.ts';
import { callerOf, setSessionCookie } from '../../http/signed_in.ts';
import { sendErrorPage, sendMessagePage } from '../views/error_page.tsx';
import { afterSignIn } from '../login/after_sign_in.ts';
import { directoryForEmail } from './find.ts';
import { WORK_FORM, sendContinuePage, sendUpstreamFailure, sendWorkAccountPage } from './pages.tsx';
import { CALLBACK_PATH, START_PATH, WORK_PATH, callbackUrl } from './paths.ts';
import { startTransaction, takeTransaction } from './transaction.ts';
import { UpstreamFailure } from './upstream.ts';

function expired() {
  return new InteractionExpired('sign-in for an unknown interaction');
}

export default async function directoryRoutes(app: FastifyInstance, { deps }: AppOptions): Promise<void> {
  const log = (request: { log: FastifyInstance['log'] }, step: string, err: unknown) =>
    request.log.warn({ step, reason: err instanceof UpstreamFailure ? err.reason : String(err) }, 'work-account sign-in failed');

  app.get(WORK_PATH, async (request, reply) => {
    const { interaction: id } = assembleParams(['interaction'], request.query as RawParams);
    const live = id === undefined ? undefined : await loadLiveInteraction(deps, id);
    if (id !== undefined && !live) return sendErrorPage(reply, expired());
    return sendWorkAccountPage(deps, reply, { directories: await deps.stores.directories.list(), interaction: live?.interaction });
  });

  app.post(WORK_PATH, { config: { csrf: WORK_FORM } }, async (request, reply) => {
    const form = assembleParams(['email', 'interaction'], asRawParams(request.body));
    const live = form.interaction === undefined ? undefined : await loadLiveInteraction(deps, form.interaction);
    if (form.interaction !== undefined && !live) return sendErrorPage(reply, expired());
    const directory = await directoryForEmail(deps, form.email);
    if (directory) return sendContinuePage(reply, { directory, interaction: live?.interaction, email: form.email });
    const directories = await deps.stores.directories.list();
    return sendWorkAccountPage(deps, reply, { directories, interaction: live?.interaction, email: form.email?.slice(0, 254), unknownDomain: true });
  });

  app.get(START_PATH, async (request, reply) => {
    const q = assembleParams(['directory', 'interaction', 'login_hint'], request.query as RawParams);
    const directory = q.directory === undefined || q.directory.length > 64 ? undefined : await deps.stores.directories.find(q.directory);
    if (!directory) return sendMessagePage(reply, 404, 'Unknown directory', 'This company directory is not known here. Go back to the sign-in page and try again.');
    const live = q.interaction === undefined ? undefined : await loadLiveInteraction(deps, q.interaction);
    if (q.interaction !== undefined && !live) return sendErrorPage(reply, expired());
    let begun;
    try {
      begun = await deps.directoryClients.begin(directory, callbackUrl(deps.config.issuer), q.login_hint?.slice(0, 254));
    } catch (err) {
      log(request, 'start', err);
      return sendUpstreamFailure(reply);
    }
    await startTransaction(deps, reply, directory, begun, live?.interaction.id ?? null);
    return reply.code(303).header('location', begun.url).send();
  });

  app.get(CALLBACK_PATH, async (request, reply) => {
    // First of all, and whatever follows: this browser's transaction is used up (SECURITY 47, once).
    const transaction = await takeTransaction(deps, request, reply);
    const fail = async (step: string, err: unknown) => {
      log(request, step, err);
      await deps.stores.audit.record(
        { type: 'user.sign_in_failed', userId: null, ip: request.ip, detail: { via: 'directory', step, directory: transaction?.directoryId ?? null } },
        deps.clock.now(),
      );
      return sendUpstreamFailure(reply);
    };
    if (!transaction) return fail('transaction', new UpstreamFailure('no live transaction for this browser (missing, expired, used, or another browser)'));
    const directory = await deps.stores.directories.find(transaction.directoryId);
    if (!directory) return fail('directory', new UpstreamFailure('the directory was removed during the sign-in'));
    const query = request.url.indexOf('?') >= 0 ? request.url.slice(request.url.indexOf('?')) : '';
    let identity;
    try {
      identity = await deps.directoryClients.finish(directory, transaction, new URL(callbackUrl(deps.config.issuer) + query));
    } catch (err) {
      return fail('response', err);
    }
    const signedIn = await deps.accounts.signInWorkAccount(directory, identity, callerOf(deps.config, request));
    if (!signedIn) return fail('account', new UpstreamFailure('the account is disabled'));
    setSessionCookie(deps.config, reply, signedIn.opened);
    const live = transaction.interactionId === null ? undefined : await loadLiveInteraction(deps, transaction.interactionId);
    return afterSignIn(reply, { interactionId: live?.interaction.id ?? null, returnTo: null });
  });

  rejectOtherMethods(app, WORK_PATH, ['GET', 'POST']);
  rejectOtherMethods(app, START_PATH, ['GET']);
  rejectOtherMethods(app, CALLBACK_PATH, ['GET']);
}
