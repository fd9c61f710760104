/**
 * What a new password must be (SECURITY 34; NIST SP 800-63B §3.1.1.2; ASVS 6.2.1, 6.2.9, 6.2.11):
 * at least 8 characters, at most 1,024 UTF-8 bytes, anything else allowed (any Unicode, no
 * composition rules), and not on the shipped list of common passwords. The list is compared
 * case-insensitively, so "Password1" is refused like "password1". It is read once, at first use.
 * @module
 */
import { readFileSync } from 'node:fs';
import { MAX_PASSWORD_BYTES, MIN_PASSWORD_CHARS } from '../../crypto/passwords.ts';

let common: Set<string> | undefined;

function commonPasswords(): Set<string> {
  common ??= new Set(
    readFileSync(new URL('./common_passwords.txt', import.meta.url), 'utf8')
      .split('\n')
      .filter((line) => line !== ''),
  );
  return common;
}

export type PasswordProblem = 'too_short' | 'too_long' | 'common';

export const PASSWORD_PROBLEMS: Record<PasswordProblem, string> = {
  too_short: `Choose a password of at least ${MIN_PASSWORD_CHARS} characters.`,
  too_long: 'That password is too long.',
  common: 'That password is too common. Choose another one.',
};

/** The problem with a new password, or undefined when it may be used. */
export function passwordProblem(password: string): PasswordProblem | undefined {
  // Characters, not UTF-16 units: "🔑" counts once.
  if ([...password].length < MIN_PASSWORD_CHARS) return 'too_short';
  if (Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_BYTES) return 'too_long';
  if (commonPasswords().has(password.normalize('NFKC').toLowerCase())) return 'common';
  return undefined;
}
