/** What the profile's routes share: the page itself, its form token, and the form check. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../../deps.ts';
import type { SignedIn } from '../../core/sessions.ts';
import { readSession } from '../../core/sessions.ts';
import { hmac } from '../../crypto/digest.ts';
import { asRawParams, assembleParams } from '../../oauth/params.ts';
import { formToken, isCrossSite, tokenMatches } from '../csrf.ts';
import { sendForbidden } from '../views/error_page.tsx';
import { sendPage } from '../views/send_page.ts';
import { logoutToken } from '../logout/route.tsx';
import { deviceName } from './device.ts';
import { SHOWN_EVENTS, eventText, formatTime } from './events.ts';
import { ProfileView } from './view.tsx';

export const PROFILE_PATH = '/profile';

export const NOTICES: Record<string, string> = {
  name: 'Your name was saved.',
  password: 'Your password was changed. Your other sessions were signed out.',
  session: 'That session was signed out.',
  totp: 'Two-step verification is on.',
  totp_off: 'Two-step verification is off.',
};

export function profileToken(deps: Pick<Deps, 'formKey'>, sessionId: string): string {
  return formToken(deps.formKey, 'profile', sessionId);
}

/** A handle for a session in the page: not its storage id, so the page reveals nothing reusable. */
export function sessionHandle(deps: Pick<Deps, 'formKey'>, sessionId: string): string {
  return hmac(deps.formKey, 'session-handle', sessionId).slice(0, 32);
}

export async function sendProfile(
  deps: Deps,
  reply: FastifyReply,
  { session, user }: SignedIn,
  message: { notice?: string; problem?: string; status?: number } = {},
): Promise<FastifyReply> {
  const now = deps.clock.now();
  const [sessions, events, totp, recoveryLeft, reach, grants, directory] = await Promise.all([
    deps.stores.sessions.listLive(user.id, now),
    deps.stores.audit.listForUser(user.id, SHOWN_EVENTS, 20),
    deps.stores.users.findTotp(user.id),
    deps.stores.users.countUnusedRecoveryCodes(user.id),
    deps.access.reachOf(user.id),
    deps.stores.grants.listLive(user.id, now),
    user.directoryId === null ? undefined : deps.stores.directories.find(user.directoryId),
  ]);
  return sendPage(
    reply,
    <ProfileView
      name={user.name}
      email={user.email}
      kind={user.kind === 'work' ? `Work account${directory ? `, from ${directory.name}` : ''}` : 'Personal account'}
      hasPassword={user.passwordHash !== null}
      token={profileToken(deps, session.id)}
      logoutToken={logoutToken(deps, session.id)}
      sessions={sessions
        .filter((s) => now - s.lastSeenAt <= deps.config.ttl.sessionIdle)
        .map((s) => ({ handle: sessionHandle(deps, s.id), device: deviceName(s.userAgent), lastSeen: formatTime(s.lastSeenAt), current: s.id === session.id }))}
      events={events.map((e) => ({ at: formatTime(e.at), text: eventText(e.type, e.detail), ip: e.ip }))}
      orgs={reach.current.map((m) => ({ name: m.org.name, slug: m.org.slug, role: m.role === 'owner' ? 'Owner' : 'Member' }))}
      applications={grants.length}
      totpOn={totp?.enabledAt != null}
      recoveryLeft={recoveryLeft}
      notice={message.notice}
      problem={message.problem}
    />,
    { status: message.status ?? 200 },
  );
}

/** The signed-in person behind a valid profile form, or the reply already sent. */
export async function formSession(deps: Deps, request: FastifyRequest, reply: FastifyReply, names: string[]) {
  if (isCrossSite(request, deps.config.issuer)) return { sent: sendForbidden(reply) };
  const form = assembleParams(['token', ...names], asRawParams(request.body));
  const signedIn = await readSession(deps, request);
  if (!signedIn) return { sent: reply.code(303).header('location', '/login').send() };
  if (!tokenMatches(form.token, profileToken(deps, signedIn.session.id))) return { sent: sendForbidden(reply) };
  return { form, signedIn };
}

export function backToProfile(reply: FastifyReply, done: string): FastifyReply {
  return reply.code(303).header('location', `${PROFILE_PATH}?done=${done}`).send();
}

