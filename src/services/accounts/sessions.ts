/**
 * Sign-in sessions (SECURITY 35–37), without HTTP: the cookie carries a 256-bit random value and
 * the server keeps only its digest, so a leaked sessions table opens no session. A new value is
 * made at every sign-in and a presented one is never adopted (session fixation). The cookie itself
 * is set and read in one place, src/http/signed_in.ts.
 * @module
 */
import type { Clock } from '../../clock.ts';
import type { Config } from '../../config/config.ts';
import type { Stores } from '../../domain/stores.ts';
import type { AuditEvent } from '../../domain/audit.ts';
import type { Session } from '../../domain/sessions.ts';
import type { User } from '../../domain/users.ts';
import { digest } from '../../crypto/digest.ts';
import { looksLike, randomToken } from '../../crypto/random.ts';

/** lastSeenAt is written at most this often, so browsing does not write on every request. */
const TOUCH_EVERY_SECONDS = 60;

export interface SessionDeps {
  config: Config;
  clock: Clock;
  stores: Stores;
}

/** A live session and the person it belongs to. */
export interface SignedIn {
  session: Session;
  user: User;
}

/** Where a request comes from, as recorded with a session and in audit events. */
export interface ClientInfo {
  ip: string;
  userAgent: string | null;
  /**
   * The browser's long-lived id (device recognition, domain/known_browsers.ts), when it presented
   * a well-formed one; a sign-in without one gives the browser a new id.
   */
  browserId?: string | undefined;
}

/** A session just opened: the cookie values exist only here, to be set on the answer. */
export interface OpenedSession {
  session: Session;
  cookieValue: string;
  /** The browser's id, presented or new: set again on the answer, so it lives 400 days from the last sign-in. */
  browserId: string;
}

/**
 * Whether the session's sign-in is recent enough for what needs one (SECURITY 51, issue 16): at
 * most `config.ttl.stepUp` seconds old (`STEP_UP_MAX_AGE`). The one window for step-up before a
 * high-privilege approval and for every sensitive account change, so no two of them disagree.
 */
export function signedInRecently(deps: { config: Pick<Config, 'ttl'>; clock: Clock }, session: Pick<Session, 'authTime'>): boolean {
  return deps.clock.now() - session.authTime <= deps.config.ttl.stepUp;
}

/**
 * RFC 8176 §2 values that say a second factor or a passkey took part in the sign-in: `otp` (TOTP or
 * a recovery code after the password), `hwk`/`swk` (a passkey, alone or after the password), `mfa`.
 * A password alone is `pwd`; a work account's sign-in is `fed` (its factors are its directory's).
 */
const STRONG_AMR: ReadonlySet<string> = new Set(['otp', 'hwk', 'swk', 'mfa']);

/** Whether the session's sign-in used a second factor or a passkey (step-up, the operator console). */
export function usedSecondFactor(session: Pick<Session, 'amr'>): boolean {
  return session.amr.some((value) => STRONG_AMR.has(value));
}

/** The digest of a presented cookie value, when it has the shape of one of ours. */
export function sessionIdOf(cookieValue: string | undefined): string | undefined {
  return cookieValue && looksLike('session', cookieValue) ? digest(cookieValue) : undefined;
}

/** A presented browser id, when it has the shape of one of ours (anything else counts as none). */
export function browserIdOf(cookieValue: string | undefined): string | undefined {
  return cookieValue && looksLike('browser', cookieValue) ? cookieValue : undefined;
}

/**
 * The live session and its person, or undefined. Enforces the idle timeout (the store enforces
 * the absolute one), ends the session of a disabled or deleted account, and records activity at
 * most once a minute (SECURITY 37).
 */
export async function findSignedIn(deps: SessionDeps, id: string): Promise<SignedIn | undefined> {
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
 * Opens a brand-new session and records `event` with it in one transaction, together with the
 * browser as known to the account (the store marks the event `new_browser` when it was not,
 * domain/known_browsers.ts). Any session the browser presented (`replacing`) is ended first: the
 * new id is never one the browser chose. `authTime` (OIDC Core §2 `auth_time`) is now, unless the
 * person authenticated earlier than the session opens (a sign-up's link, link_sign_in.ts).
 */
export async function openSession(
  deps: SessionDeps,
  userId: string,
  amr: string[],
  client: ClientInfo,
  replacing: string | undefined,
  event: AuditEvent,
  authTime?: number,
): Promise<OpenedSession> {
  const now = deps.clock.now();
  if (replacing) await deps.stores.sessions.end(replacing, now);
  const cookieValue = randomToken('session');
  const session: Session = {
    id: digest(cookieValue),
    userId,
    authTime: authTime ?? now,
    amr,
    createdAt: now,
    lastSeenAt: now,
    expiresAt: now + deps.config.ttl.sessionAbsolute,
  };
  const browserId = client.browserId ?? randomToken('browser');
  // Per (account, browser): the stored digest links no two accounts that share a browser.
  const browser = digest(`${userId}:${browserId}`);
  await deps.stores.sessions.create({ ...session, ip: client.ip, userAgent: client.userAgent?.slice(0, 512) ?? null }, event, browser);
  return { session, cookieValue, browserId };
}
