/** What the profile's routes share: the page itself, its form token, and the form check. */
import type { FastifyReply } from 'fastify';
import type { Deps } from '../../deps.ts';
import type { SignedIn } from '../../services/accounts/sessions.ts';
import { hmac } from '../../crypto/digest.ts';
import { formRule, formToken } from '../../http/form_guard.ts';
import { sendPage } from '../views/send_page.ts';
import { logoutToken } from '../logout/route.tsx';
import { deviceName } from '../../domain/devices.ts';
import { SHOWN_EVENTS, eventText, formatTime } from './events.ts';
import { ProfileView } from './view.tsx';
import { requirementNotice } from '../orgs/requirement_notice.ts';

export const PROFILE_PATH = '/profile';

export const NOTICES: Record<string, string> = {
  name: 'Your name was saved.',
  password: 'Your password was changed. Your other sessions were signed out.',
  session: 'That session was signed out.',
  totp: 'Two-step verification is on.',
  totp_off: 'Two-step verification is off.',
  verification_sent: 'We sent a new link to your address. It works for 24 hours.',
  verified: 'Your address is already confirmed.',
  email_changed: 'Your email address was changed. Your old address was sent a notice.',
};

export function profileToken(deps: Pick<Deps, 'formKey'>, sessionId: string): string {
  return formToken(deps.formKey, sessionId, 'profile');
}

/** Every profile form: same-origin, with the profile token of this session (src/http/form_guard.ts). */
export const PROFILE_FORM = formRule('profile');

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
  const [sessions, events, totp, recoveryLeft, reach, grants, directory, passkeys] = await Promise.all([
    deps.stores.sessions.listLive(user.id, now),
    deps.stores.audit.listForUser(user.id, SHOWN_EVENTS, 20),
    deps.stores.users.findTotp(user.id),
    deps.stores.users.countUnusedRecoveryCodes(user.id),
    deps.access.reachOf(user.id),
    deps.stores.grants.listLive(user.id, now),
    user.directoryId === null ? undefined : deps.stores.directories.find(user.directoryId),
    deps.stores.passkeys.countForUser(user.id),
  ]);
  const notice = await requirementNotice(deps, user, reach.current);
  // Issue 21: services this person authorized that the platform suspended (from memory; names read only for those).
  const suspended = await Promise.all(grants.filter((g) => deps.suspensions.isSuspended(g.appId)).map(async (g) => (await deps.stores.apps.find(g.appId))?.name ?? 'A service'));
  return sendPage(
    reply,
    <ProfileView
      name={user.name}
      email={user.email}
      emailVerified={user.emailVerifiedAt !== null}
      workAccount={user.kind === 'work'}
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
      passkeys={user.kind === 'personal' ? passkeys : undefined}
      secondFactorNotice={notice}
      suspendedApps={suspended}
      notice={message.notice}
      problem={message.problem}
    />,
    { status: message.status ?? 200 },
  );
}

export function backToProfile(reply: FastifyReply, done: string): FastifyReply {
  return reply.code(303).header('location', `${PROFILE_PATH}?done=${done}`).send();
}

