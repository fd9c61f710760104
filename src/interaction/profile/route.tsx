/**
 * GET /profile and its forms: change name, change password, sign out one of your sessions. Every
 * form is a same-origin POST with a token bound to the session (SECURITY 28) and answers 303 back
 * to the profile. Changing the password needs the current one (throttled like sign-in, SECURITY
 * 32) and ends every other session and refresh token of the person (SECURITY 37).
 * @module
 */
import type { FastifyInstance } from 'fastify';
import type { AppOptions } from '../../deps.ts';
import type { RawParams } from '../../http/urlencoded.ts';
import { MAX_NAME_CHARS } from '../../domain/users.ts';
import { rejectOtherMethods } from '../../http/methods.ts';
import { callerOf, signedInOf } from '../../http/signed_in.ts';
import { TOO_MANY } from '../login/view.tsx';
import { PASSWORD_PROBLEMS } from '../../services/accounts/password_policy.ts';
import { asRawParams, assembleParams } from '../../http/params.ts';
import { signedInArea } from '../guards.ts';
import { deviceName } from '../../domain/devices.ts';
import { NOTICES, PROFILE_FORM, PROFILE_PATH, backToProfile, sendProfile, sessionHandle } from './shared.tsx';
import { recentProfileSignIn } from './recent.ts';
import totpRoutes from './totp_route.tsx';
import profileEmailRoutes from './email_route.tsx';
import passkeysRoutes from './passkeys_route.tsx';
import applicationsRoutes from '../applications/route.tsx';
import { ownEntry } from '../../domain/lookup.ts';

export default async function profileRoutes(app: FastifyInstance, { deps }: AppOptions): Promise<void> {
  // Every page and form here needs a session; every form carries the profile token (issue 13).
  signedInArea(app, PROFILE_FORM);

  app.get(PROFILE_PATH, async (request, reply) => {
    const signedIn = await signedInOf(request);
    const { done } = assembleParams(['done'], request.query as RawParams);
    return sendProfile(deps, reply, signedIn, { notice: ownEntry(NOTICES, done) });
  });

  app.post(`${PROFILE_PATH}/name`, async (request, reply) => {
    const signedIn = await signedInOf(request);
    const form = assembleParams(['name'], asRawParams(request.body));
    const name = (form.name ?? '').trim();
    if (name === '' || [...name].length > MAX_NAME_CHARS) {
      return sendProfile(deps, reply, signedIn, { problem: `Enter your name (at most ${MAX_NAME_CHARS} characters).`, status: 400 });
    }
    const now = deps.clock.now();
    await deps.stores.users.rename(signedIn.user.id, name, now);
    await deps.stores.audit.record({ type: 'user.renamed', userId: signedIn.user.id, ip: request.ip }, now);
    return backToProfile(reply, 'name');
  });

  // A new password needs a recent sign-in, besides the current password (SECURITY 51, issue 16).
  app.post(`${PROFILE_PATH}/password`, { onRequest: recentProfileSignIn(deps) }, async (request, reply) => {
    const signedIn = await signedInOf(request);
    const form = assembleParams(['current', 'password'], asRawParams(request.body));
    if (signedIn.user.passwordHash === null) return sendProfile(deps, reply, signedIn, { problem: 'This account has no password.', status: 400 });
    const changed = await deps.accounts.changePassword(signedIn, form.current, form.password ?? '', callerOf(deps.config, request));
    if (changed.kind === 'weak') return sendProfile(deps, reply, signedIn, { problem: PASSWORD_PROBLEMS[changed.problem], status: 400 });
    if (changed.kind === 'throttled') {
      reply.header('retry-after', String(changed.retryAfter));
      return sendProfile(deps, reply, signedIn, { problem: TOO_MANY, status: 429 });
    }
    if (changed.kind === 'wrong') return sendProfile(deps, reply, signedIn, { problem: 'Your current password is incorrect.', status: 400 });
    return backToProfile(reply, 'password');
  });

  app.post(`${PROFILE_PATH}/sessions/end`, async (request, reply) => {
    const signedIn = await signedInOf(request);
    const form = assembleParams(['session'], asRawParams(request.body));
    const target = (await deps.stores.sessions.listLive(signedIn.user.id, deps.clock.now())).find((s) => form.session !== undefined && sessionHandle(deps, s.id) === form.session);
    if (target) await deps.accounts.endOwnSession(signedIn.user, target.id, deviceName(target.userAgent), callerOf(deps.config, request));
    // The current session ends through /logout (with Clear-Site-Data); here it stays.
    if (target?.id === signedIn.session.id) return reply.code(303).header('location', '/login').send();
    return backToProfile(reply, 'session');
  });

  await app.register(totpRoutes, { deps });
  await app.register(profileEmailRoutes, { deps });
  await app.register(passkeysRoutes, { deps });
  await app.register(applicationsRoutes, { deps });
  rejectOtherMethods(app, PROFILE_PATH, ['GET']);
  for (const path of ['name', 'password', 'sessions/end']) rejectOtherMethods(app, `${PROFILE_PATH}/${path}`, ['POST']);
}
