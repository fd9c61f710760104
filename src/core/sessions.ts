/**
 * Sign-in sessions behind an opaque cookie (SECURITY 35–37). The cookie carries a 256-bit random
 * value; the server keeps only its digest, so a leaked sessions table opens no session. A new
 * value is issued at every sign-in and a presented one is never adopted (session fixation).
 * @module
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../deps.ts';
import type { Session } from '../domain/sessions.ts';
import type { User } from '../domain/users.ts';
import { digest } from '../crypto/digest.ts';
import { looksLike, randomToken } from '../crypto/random.ts';

/** lastSeenAt is written at most this often, so browsing does not write on every request. */
const TOUCH_EVERY_SECONDS = 60;

type SessionDeps = Pick<Deps, 'config' | 'clock' | 'stores'>;

/** A live session and the person it belongs to. */
export interface SignedIn {
  session: Session;
  user: User;
}

/**
 * `__Host-` (over https) pins the cookie to this exact origin: Secure, Path=/, no Domain, so a
 * sibling subdomain cannot plant or overwrite it (ASVS 3.3.3, RFC 6265bis §4.1.3.2).
 */
export function sessionCookieName(config: Deps['config']): string {
  return config.secure ? '__Host-tessera_session' : 'tessera_session';
}

function cookieOptions(config: Deps['config']) {
  return { path: '/', httpOnly: true, sameSite: 'lax' as const, secure: config.secure };
}

/** The digest of the presented cookie, when it has the shape of one of ours. */
function presentedId(deps: SessionDeps, request: FastifyRequest): string | undefined {
  const value = request.cookies[sessionCookieName(deps.config)];
  return value && looksLike('session', value) ? digest(value) : undefined;
}

/**
 * The live session of this request and its person, or undefined. Enforces the idle timeout (the
 * store enforces the absolute one), ends the session of a disabled or deleted account, and
 * records activity at most once a minute (SECURITY 37).
 */
export async function readSession(deps: SessionDeps, request: FastifyRequest): Promise<SignedIn | undefined> {
  const id = presentedId(deps, request);
  if (!id) return undefined;
  const now = deps.clock.now();
  const found = await deps.stores.sessions.findLiveWithUser(id, now);
  if (!found) return undefined;
  const { session } = found;
  // Idle for exactly sessionIdle seconds is over, like every other lifetime here: [start, start + TTL) (SECURITY R8).
  const user = now - session.lastSeenAt >= deps.config.ttl.sessionIdle ? undefined : found.user;
  if (!user || user.disabledAt !== null) {
    await deps.stores.sessions.end(id, now);
    return undefined;
  }
  if (now - session.lastSeenAt >= TOUCH_EVERY_SECONDS) {
    await deps.stores.sessions.touch(id, now);
    session.lastSeenAt = now;
  }
  return { session, user };
}

/**
 * Signs the person in with a brand-new session and sets its cookie. Any session the browser
 * presented is ended first: the new id is never one the browser chose (SECURITY 35).
 */
export async function startSession(
  deps: SessionDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  userId: string,
  amr: string[],
): Promise<Session> {
  const now = deps.clock.now();
  const previous = presentedId(deps, request);
  if (previous) await deps.stores.sessions.end(previous, now);
  const value = randomToken('session');
  const session: Session = {
    id: digest(value),
    userId,
    authTime: now,
    amr,
    createdAt: now,
    lastSeenAt: now,
    expiresAt: now + deps.config.ttl.sessionAbsolute,
  };
  await deps.stores.sessions.create({ ...session, ip: request.ip ?? null, userAgent: request.headers['user-agent']?.slice(0, 512) ?? null });
  reply.setCookie(sessionCookieName(deps.config), value, cookieOptions(deps.config));
  return session;
}

/** Ends the presented session, if any, and clears its cookie. */
export async function endSession(deps: SessionDeps, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const id = presentedId(deps, request);
  if (id) await deps.stores.sessions.end(id, deps.clock.now());
  reply.clearCookie(sessionCookieName(deps.config), cookieOptions(deps.config));
}
