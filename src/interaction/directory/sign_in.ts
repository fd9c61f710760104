/**
 * The end of a work-account sign-in: the person is the account of (issuer, subject), created on
 * first sign-in, and never an account found by email (SECURITY 48). A new session id (SECURITY
 * 35), an audit event, then the pending authorization goes on as after a password sign-in.
 * @module
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../../deps.ts';
import type { Directory } from '../../domain/directories.ts';
import type { User } from '../../domain/users.ts';
import { startSession } from '../../core/sessions.ts';
import type { UpstreamIdentity } from './upstream.ts';

/** RFC 8176 has no value for federation; "fed" is the one providers use (e.g. Microsoft Entra ID). */
export const FEDERATED_AMR = ['fed'];

export async function findOrCreateAccount(deps: Pick<Deps, 'stores' | 'clock'>, directory: Directory, identity: UpstreamIdentity, ip: string): Promise<User> {
  const existing = await deps.stores.directories.findAccount(identity.issuer, identity.subject);
  if (existing) return existing;
  const user = await deps.stores.directories.createAccount(
    { issuer: identity.issuer, subject: identity.subject, directoryId: directory.id, email: identity.email, name: identity.name },
    deps.clock.now(),
  );
  await deps.stores.audit.record({ type: 'user.created', userId: user.id, ip, detail: { via: 'directory', directory: directory.id } }, deps.clock.now());
  return user;
}

export async function signInWorkAccount(
  deps: Pick<Deps, 'config' | 'stores' | 'clock'>,
  request: FastifyRequest,
  reply: FastifyReply,
  directory: Directory,
  user: User,
): Promise<void> {
  await startSession(deps, request, reply, user.id, FEDERATED_AMR);
  await deps.stores.audit.record(
    { type: 'user.signed_in', userId: user.id, ip: request.ip, detail: { amr: FEDERATED_AMR, directory: directory.id } },
    deps.clock.now(),
  );
}
