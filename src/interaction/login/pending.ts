/**
 * The pending sign-in between the password and the second factor: a short-lived record behind
 * its own HttpOnly cookie (a digest stored, 256 random bits in the cookie). It is not a session:
 * it opens nothing but the code form, expires in five minutes, and is used once.
 * @module
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../../deps.ts';
import type { PendingSignIn } from '../../domain/sessions.ts';
import { digest } from '../../crypto/digest.ts';
import { newPendingToken } from '../../crypto/totp.ts';

export const PENDING_SECONDS = 300;
/** Wrong codes allowed on one pending sign-in; then the password must be given again. */
export const PENDING_ATTEMPTS = 5;

type PendingDeps = Pick<Deps, 'config' | 'clock' | 'stores'>;

export function pendingCookieName(config: Deps['config']): string {
  return config.secure ? '__Host-tessera_pending' : 'tessera_pending';
}

function cookieOptions(config: Deps['config']) {
  return { path: '/', httpOnly: true, sameSite: 'lax' as const, secure: config.secure, maxAge: PENDING_SECONDS };
}

export async function startPending(deps: PendingDeps, reply: FastifyReply, userId: string, interactionId: string | null): Promise<void> {
  const value = newPendingToken();
  const now = deps.clock.now();
  await deps.stores.sessions.createPending({ id: digest(value), userId, interactionId, attempts: 0, createdAt: now, expiresAt: now + PENDING_SECONDS });
  reply.setCookie(pendingCookieName(deps.config), value, cookieOptions(deps.config));
}

export async function readPending(deps: PendingDeps, request: FastifyRequest): Promise<PendingSignIn | undefined> {
  const value = request.cookies[pendingCookieName(deps.config)];
  if (!value || value.length !== 43) return undefined;
  return deps.stores.sessions.findPending(digest(value), deps.clock.now());
}

export function clearPending(deps: Pick<Deps, 'config'>, reply: FastifyReply): void {
  reply.clearCookie(pendingCookieName(deps.config), { ...cookieOptions(deps.config), maxAge: undefined });
}
