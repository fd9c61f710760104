/**
 * Who is signed in, for every route (issue 13): the one place that reads and sets the session,
 * pending-sign-in and browser-id cookies. `request.signedIn()` reads the session once per request
 * (through the accounts service); `requireSignIn` and `requireRecentSignIn` guard routes as
 * `onRequest` hooks, so a guarded handler never runs without a live session.
 * @module
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import type { Clock } from '../clock.ts';
import type { Config } from '../config/config.ts';
import type { Accounts, Caller } from '../services/accounts/accounts.ts';
import type { OpenedSession, SignedIn } from '../services/accounts/sessions.ts';
import { browserIdOf, sessionIdOf, signedInRecently } from '../services/accounts/sessions.ts';
import { KNOWN_BROWSER_DAYS } from '../domain/known_browsers.ts';
import { SIGN_UP_BROWSER_SECONDS } from '../domain/account_links.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The live session of this request and its person, read at most once per request. */
    signedIn(): Promise<SignedIn | undefined>;
  }
}

/**
 * `__Host-` (over https) pins the cookie to this exact origin: Secure, Path=/, no Domain, so a
 * sibling subdomain cannot plant or overwrite it (ASVS 3.3.3, RFC 6265bis §4.1.3.2).
 */
export function sessionCookieName(config: Pick<Config, 'secure'>): string {
  return config.secure ? '__Host-tessera_session' : 'tessera_session';
}

export function pendingCookieName(config: Pick<Config, 'secure'>): string {
  return config.secure ? '__Host-tessera_pending' : 'tessera_pending';
}

/**
 * The browser's long-lived random id, for device recognition (issue 15, domain/known_browsers.ts):
 * not a credential, but HttpOnly and `__Host-` like the others, so no script or sibling subdomain
 * can read, plant or copy it.
 */
export function browserCookieName(config: Pick<Config, 'secure'>): string {
  return config.secure ? '__Host-tessera_browser' : 'tessera_browser';
}

/**
 * The browser that signed up (issue 20): a random value whose digest its verification link keeps,
 * so that the link opened there signs the new account in (services/accounts/link_sign_in.ts).
 * Set for a taken address too, with a value that matches nothing (SECURITY 33).
 */
export function signUpCookieName(config: Pick<Config, 'secure'>): string {
  return config.secure ? '__Host-tessera_signup' : 'tessera_signup';
}

function cookieOptions(config: Pick<Config, 'secure'>) {
  return { path: '/', httpOnly: true, sameSite: 'lax' as const, secure: config.secure };
}

const memo = new WeakMap<FastifyRequest, Promise<SignedIn | undefined>>();

export function registerSignedIn(app: FastifyInstance, deps: { config: Config; accounts: Accounts }): void {
  app.decorateRequest('signedIn', function (this: FastifyRequest) {
    let found = memo.get(this);
    if (!found) {
      found = deps.accounts.signedIn(this.cookies[sessionCookieName(deps.config)]);
      memo.set(this, found);
    }
    return found;
  });
}

/** The request as the accounts service sees it: address, browser, and the session it presented. */
export function callerOf(config: Pick<Config, 'secure'>, request: FastifyRequest): Caller {
  return {
    ip: request.ip,
    userAgent: request.headers['user-agent'] ?? null,
    presentedSession: sessionIdOf(request.cookies[sessionCookieName(config)]),
    browserId: browserIdOf(request.cookies[browserCookieName(config)]),
  };
}

/**
 * Sets the cookie of a session the accounts service just opened, and the browser's id (new, or
 * the one it presented, now good for another KNOWN_BROWSER_DAYS; sign-out leaves it in place).
 */
export function setSessionCookie(config: Pick<Config, 'secure'>, reply: FastifyReply, opened: OpenedSession): void {
  reply.setCookie(sessionCookieName(config), opened.cookieValue, cookieOptions(config));
  reply.setCookie(browserCookieName(config), opened.browserId, { ...cookieOptions(config), maxAge: KNOWN_BROWSER_DAYS * 86400 });
}

export function clearSessionCookie(config: Pick<Config, 'secure'>, reply: FastifyReply): void {
  reply.clearCookie(sessionCookieName(config), cookieOptions(config));
}

/** The pending sign-in's cookie lives as long as the pending sign-in. */
export function setPendingCookie(config: Pick<Config, 'secure'>, reply: FastifyReply, value: string, maxAge: number): void {
  reply.setCookie(pendingCookieName(config), value, { ...cookieOptions(config), maxAge });
}

export function pendingCookie(config: Pick<Config, 'secure'>, request: FastifyRequest): string | undefined {
  return request.cookies[pendingCookieName(config)];
}

export function clearPendingCookie(config: Pick<Config, 'secure'>, reply: FastifyReply): void {
  reply.clearCookie(pendingCookieName(config), cookieOptions(config));
}

/** Lives as long as the link may sign in (SIGN_UP_BROWSER_SECONDS), not as long as the link. */
export function setSignUpCookie(config: Pick<Config, 'secure'>, reply: FastifyReply, value: string): void {
  reply.setCookie(signUpCookieName(config), value, { ...cookieOptions(config), maxAge: SIGN_UP_BROWSER_SECONDS });
}

export function signUpCookie(config: Pick<Config, 'secure'>, request: FastifyRequest): string | undefined {
  return request.cookies[signUpCookieName(config)];
}

export function clearSignUpCookie(config: Pick<Config, 'secure'>, reply: FastifyReply): void {
  reply.clearCookie(signUpCookieName(config), cookieOptions(config));
}

/** What a guard does when the request may not go on: answer it (a redirect, a 401). */
export type Refusal = (request: FastifyRequest, reply: FastifyReply) => unknown;

/** Guards a route: without a live session `refuse` answers and the handler never runs. */
export function requireSignIn(refuse: Refusal): onRequestAsyncHookHandler {
  return async function requireSignIn(request, reply) {
    if (!(await request.signedIn())) return refuse(request, reply);
    return undefined;
  };
}

/**
 * Guards a route that changes something sensitive (a factor off, a passkey, the password, the
 * address, client secrets): the sign-in must be live and recent, within the one window every such
 * change shares (`signedInRecently`: `STEP_UP_MAX_AGE`, SECURITY 51, issue 16); otherwise `stale`
 * answers (typically: sign in again, then come back).
 */
export function requireRecentSignIn(deps: { config: Pick<Config, 'ttl'>; clock: Clock }, refuse: Refusal, stale: Refusal): onRequestAsyncHookHandler {
  return async function requireRecentSignIn(request, reply) {
    const signedIn = await request.signedIn();
    if (!signedIn) return refuse(request, reply);
    if (!signedInRecently(deps, signedIn.session)) return stale(request, reply);
    return undefined;
  };
}

/** The signed-in person of a guarded route (the guard already answered otherwise). */
export async function signedInOf(request: FastifyRequest): Promise<SignedIn> {
  const signedIn = await request.signedIn();
  if (!signedIn) throw new Error('a guarded route ran without a session: requireSignIn is missing');
  return signedIn;
}

/**
 * Puts `guard` in front of every route `app` registers from now on (and its plugins'), except the
 * routes that only answer 405: an area's rule, enforced by a hook rather than by lines in handlers.
 */
export function guardRoutes(app: FastifyInstance, guard: onRequestAsyncHookHandler): void {
  app.addHook('onRoute', (route) => {
    if (route.config?.csrf?.kind === 'exempt') return;
    const onRequest = route.onRequest === undefined ? [] : Array.isArray(route.onRequest) ? route.onRequest : [route.onRequest];
    route.onRequest = [guard, ...onRequest];
  });
}
