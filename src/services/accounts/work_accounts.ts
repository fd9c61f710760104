/**
 * Work accounts, for the accounts service: the person is the account of (issuer, subject),
 * created on first sign-in, and never an account found by email (SECURITY 48).
 * @module
 */
import type { Clock } from '../../clock.ts';
import type { Stores } from '../../domain/stores.ts';
import type { Directory } from '../../domain/directories.ts';
import type { User } from '../../domain/users.ts';
import { normalizeEmail } from '../../domain/users.ts';

/** Who the directory says signed in, once its answer and ID token were checked (SECURITY 47). */
export interface WorkIdentity {
  issuer: string;
  subject: string;
  email: string;
  name: string;
  /** The directory says the person owns `email` (OIDC Core §5.1 `email_verified: true`). */
  emailVerified: boolean;
}

type WorkDeps = { stores: Stores; clock: Clock };

export async function findOrCreateAccount(deps: WorkDeps, directory: Directory, identity: WorkIdentity, ip: string): Promise<User> {
  const existing = await deps.stores.directories.findAccount(identity.issuer, identity.subject);
  if (existing) return recordVerification(deps, directory, identity, existing, ip);
  const user = await deps.stores.directories.createAccount(
    { issuer: identity.issuer, subject: identity.subject, directoryId: directory.id, email: identity.email, name: identity.name },
    deps.clock.now(),
  );
  await deps.stores.audit.record({ type: 'user.created', userId: user.id, ip, detail: { via: 'directory', directory: directory.id } }, deps.clock.now());
  return recordVerification(deps, directory, identity, user, ip);
}

/**
 * A work account counts as verified (organizations add it by email at once) while its directory
 * says `email_verified: true` for the account's own address, and only for an address in one of
 * the directory's domains: a directory vouches for its company's addresses, not for anyone's.
 * Recorded at every sign-in, so an account made before verification existed gets it at its next
 * one, and withdrawn when the directory stops saying so (memberships already given stay).
 */
async function recordVerification(deps: WorkDeps, directory: Directory, identity: WorkIdentity, user: User, ip: string): Promise<User> {
  const domain = user.email.slice(user.email.lastIndexOf('@') + 1);
  const vouched = identity.emailVerified && normalizeEmail(identity.email) === user.email && directory.domains.includes(domain);
  if (vouched === (user.emailVerifiedAt !== null)) return user;
  const at = vouched ? deps.clock.now() : null;
  if (!(await deps.stores.users.setEmailVerified(user.id, user.email, at))) return user;
  await deps.stores.audit.record(
    { type: vouched ? 'user.email_verified' : 'user.email_unverified', userId: user.id, ip, detail: { via: 'directory', directory: directory.id } },
    deps.clock.now(),
  );
  return { ...user, emailVerifiedAt: at };
}
