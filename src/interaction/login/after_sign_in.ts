/** Where a finished sign-in goes: the authorization it continues, a path of ours, or home (SECURITY 2). */
import type { FastifyReply } from 'fastify';
import type { Continuation } from '../../services/accounts/accounts.ts';
import { resumeUrl } from '../../services/interactions.ts';

export function afterSignIn(reply: FastifyReply, next: Continuation): FastifyReply {
  const location = next.interactionId !== null ? resumeUrl(next.interactionId) : (next.returnTo ?? '/');
  return reply.code(303).header('location', location).send();
}
