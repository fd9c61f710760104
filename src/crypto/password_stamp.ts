/**
 * The stamp a password-reset link carries (domain/account_links.ts): a digest of the password
 * hash the link would replace. A link dies when the password changes after it was sent (issue 15),
 * and the table of links holds nothing that helps guess the password (a digest of a salted hash).
 * @module
 */
import { digest } from './digest.ts';

export function passwordStamp(passwordHash: string): string {
  return digest('password-stamp:' + passwordHash);
}
