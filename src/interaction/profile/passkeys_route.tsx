/**
 * The profile's passkeys (issue 16): GET /profile/passkeys lists them (name, when added, when last
 * used); POST …/rename renames one; POST …/remove removes one; POST …/options and POST …/add (JSON,
 * for our script) add one. Everything goes through the accounts service.
 *
 * Adding and removing need a recent sign-in (SECURITY 51), like a client secret: a stolen session
 * must not add a way in that outlives it, nor take one away. A stale one is sent to sign in again
 * and comes back here. An account without a password keeps its last passkey. Adding and removing
 * are recorded (`user.passkey_added`, `user.passkey_removed`) and mailed as notices.
 *
 * The forms are profile forms (the profile token, bound to the session); the JSON steps are
 * SAME_ORIGIN. All sit behind the profile's sign-in guard (./route.tsx, `signedInArea`).
 * @module
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppOptions, Deps } from '../../deps.ts';
import type { RawParams } from '../../http/urlencoded.ts';
import type { SignedIn } from '../../services/accounts/sessions.ts';
import { SAME_ORIGIN } from '../../http/form_guard.ts';
import { rejectOtherMethods } from '../../http/methods.ts';
import { callerOf, requireRecentSignIn, signedInOf } from '../../http/signed_in.ts';
import { asRawParams, assembleParams } from '../../http/params.ts';
import { ownEntry } from '../../domain/lookup.ts';
import { formatTime } from '../../domain/dates.ts';
import { signedInRecently } from '../../services/accounts/sessions.ts';
import { sendPage } from '../views/send_page.ts';
import { logoutToken } from '../logout/route.tsx';
import { ADD_PASSKEY, PASSKEYS_PAGE } from '../passkey_paths.ts';
import { OPTIONS_SCHEMA, REFUSED, VERIFY_SCHEMA, answerJson, passkeyJsonErrors, problem, type PasskeyRequest } from '../passkey_json.ts';
import { profileToken } from './shared.tsx';
import { PasskeysView, REMOVE_PASSKEY, RENAME_PASSKEY } from './passkeys_view.tsx';

const NOTICES: Record<string, string> = {
  added: 'The passkey was added.',
  renamed: 'The passkey was renamed.',
  removed: 'The passkey was removed.',
};

export const LAST_PASSKEY = 'This passkey is the only way into your account: add another one before you remove it.';

/** Sign in again, then back here (domain/return_path.ts allows /profile/…). */
const REAUTH = `/login?${new URLSearchParams({ return_to: PASSKEYS_PAGE, reauth: '1' })}`;

function back(reply: FastifyReply, done: keyof typeof NOTICES): FastifyReply {
  return reply.code(303).header('location', `${PASSKEYS_PAGE}?done=${done}`).send();
}

async function sendPasskeys(deps: Deps, reply: FastifyReply, { session, user }: SignedIn, message: { notice?: string; problem?: string; status?: number } = {}) {
  const passkeys = await deps.accounts.listPasskeys(user);
  const recent = signedInRecently(deps, session);
  const offered = deps.accounts.passkeysOffered();
  return sendPage(
    reply,
    <PasskeysView
      token={profileToken(deps, session.id)}
      logoutToken={logoutToken(deps, session.id)}
      passkeys={passkeys.map((k) => ({ id: k.id, name: k.name, created: formatTime(k.createdAt), lastUsed: k.lastUsedAt === null ? undefined : formatTime(k.lastUsedAt), synced: k.backupEligible }))}
      hasPassword={user.passwordHash !== null}
      recent={recent}
      reauthUrl={REAUTH}
      offered={offered}
      notice={message.notice}
      problem={message.problem}
    />,
    { status: message.status ?? 200, scripts: offered && recent },
  );
}

export default async function passkeysRoutes(app: FastifyInstance, { deps }: AppOptions): Promise<void> {
  // A page reached by a person whose account cannot have passkeys (a work account) goes back to the profile.
  const personalOnly = async (request: FastifyRequest, reply: FastifyReply) => ((await signedInOf(request)).user.kind === 'personal' ? undefined : reply.code(303).header('location', '/profile').send());
  const recentForms = requireRecentSignIn(
    deps,
    (_request, reply) => reply.code(303).header('location', '/login').send(),
    (_request, reply) => reply.code(303).header('location', REAUTH).send(),
  );
  const recentJson = requireRecentSignIn(
    deps,
    (_request, reply) => problem(reply, 401, 'login_required', 'Sign in first.'),
    (_request, reply) => problem(reply, 401, 'reauthentication_required', 'Adding a passkey needs a recent sign-in. Reload the page and sign in again.'),
  );

  app.get(PASSKEYS_PAGE, { onRequest: personalOnly }, async (request, reply) => {
    const { done } = assembleParams(['done'], request.query as RawParams);
    return sendPasskeys(deps, reply, await signedInOf(request), { notice: ownEntry(NOTICES, done) });
  });

  app.post(RENAME_PASSKEY, { onRequest: personalOnly }, async (request, reply) => {
    const signedIn = await signedInOf(request);
    const form = assembleParams(['id', 'name'], asRawParams(request.body));
    if (!(await deps.accounts.renamePasskey(signedIn.user, form.id ?? '', form.name))) return sendPasskeys(deps, reply, signedIn, { problem: 'Enter a name for the passkey.', status: 400 });
    return back(reply, 'renamed');
  });

  app.post(REMOVE_PASSKEY, { onRequest: [personalOnly, recentForms] }, async (request, reply) => {
    const signedIn = await signedInOf(request);
    const form = assembleParams(['id'], asRawParams(request.body));
    const removed = await deps.accounts.removePasskey(signedIn.user, form.id ?? '', callerOf(deps.config, request));
    if (removed === 'last') return sendPasskeys(deps, reply, signedIn, { problem: LAST_PASSKEY, status: 409 });
    if (removed === 'removed') deps.mail.wake();
    // An unknown one (removed already, in another tab) ends the same way: it is not there.
    return back(reply, 'removed');
  });

  // JSON for our script: the error handler of this child answers JSON, not pages.
  await app.register(async (json) => {
    passkeyJsonErrors(json);
    const config = { csrf: SAME_ORIGIN };
    json.post(ADD_PASSKEY.options, { config, schema: OPTIONS_SCHEMA, onRequest: recentJson }, async (request, reply) => {
      const options = await deps.accounts.passkeyAddOptions((await signedInOf(request)).user);
      if (!options) return problem(reply, 403, 'work_account', 'A work account signs in through its company directory.');
      return answerJson(reply, { options });
    });
    json.post(ADD_PASSKEY.verify, { config, schema: VERIFY_SCHEMA, onRequest: recentJson }, async (request: FastifyRequest<{ Body: PasskeyRequest }>, reply) => {
      const signedIn = await signedInOf(request);
      const added = await deps.accounts.addPasskey(signedIn, request.body.name, request.body.credential, callerOf(deps.config, request));
      if (added.kind === 'refused') {
        request.log.info({ reason: added.reason }, 'passkey registration refused');
        return problem(reply, 400, 'refused', REFUSED);
      }
      deps.mail.wake();
      return answerJson(reply, { location: `${PASSKEYS_PAGE}?done=added` });
    });
  });

  rejectOtherMethods(app, PASSKEYS_PAGE, ['GET']);
  for (const path of [RENAME_PASSKEY, REMOVE_PASSKEY, ADD_PASSKEY.options, ADD_PASSKEY.verify]) rejectOtherMethods(app, path, ['POST']);
}
