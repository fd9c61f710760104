/**
 * Checking an email and password. An unknown email costs one argon2 verification like a known
 * one, and every failure looks the same (SECURITY 33); a disabled account cannot sign in.
 * `named` is the account the email names, whatever the password: a failure is recorded against it.
 */
import type { Stores } from '../../domain/stores.ts';
import type { User } from '../../domain/users.ts';
import { verifyPassword } from '../../crypto/passwords.ts';

export async function checkCredentials(
  deps: { stores: Stores },
  email: string | undefined,
  password: string | undefined,
): Promise<{ user: User | undefined; named: User | undefined }> {
  const named = email !== undefined && email.length <= 254 ? await deps.stores.users.findByEmail(email) : undefined;
  // SECURITY 34: the password is verified exactly as received.
  const ok = await verifyPassword(named?.passwordHash, password ?? '');
  return { user: ok && named !== undefined && named.disabledAt === null ? named : undefined, named };
}
