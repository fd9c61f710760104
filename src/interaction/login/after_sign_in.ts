/** Where a finished sign-in goes: the authorization it continues, a path of ours, or home (SECURITY 2). */
import type { FastifyReply } from 'fastify';
import type { Continuation } from '../../services/accounts/accounts.ts';
import { resumeUrl } from '../../services/interactions.ts';

export function afterSignIn(reply: FastifyReply, next: Continuation): FastifyReply {
  return reply.code(303).header('location', signInLocation(next)).send();
}

/** The same place, for a sign-in finished by script (a passkey, issue 16), which goes there itself. */
export function signInLocation(next: Continuation): string {
  return next.interactionId !== null ? resumeUrl(next.interactionId) : (next.returnTo ?? '/');
}
