/** Which company directory an email belongs to: by its domain only (issue 3). */
import type { Deps } from '../../deps.ts';
import type { Directory } from '../../domain/directories.ts';
import { emailDomain } from '../../domain/directories.ts';
import { normalizeEmail } from '../../domain/users.ts';

export async function directoryForEmail(deps: Pick<Deps, 'stores'>, email: string | undefined): Promise<Directory | undefined> {
  if (email === undefined || email.length > 254) return undefined;
  const domain = emailDomain(normalizeEmail(email));
  return domain === undefined ? undefined : deps.stores.directories.findByDomain(domain);
}
