/** Checks of free-text flag values shared by several commands. */
import { UsageError } from './errors.ts';
import { isPlausibleEmail, normalizeEmail } from '../domain/users.ts';

// C0/C1 controls (newlines, escapes) have no place in a name shown on the approval page.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** A trimmed single-line text of at most `max` characters. */
export function text(flag: string, value: string, max: number): string {
  const trimmed = value.trim();
  if (trimmed === '') throw new UsageError(`--${flag} must not be empty`);
  if (CONTROL.test(trimmed)) throw new UsageError(`--${flag} must be a single line without control characters`);
  if ([...trimmed].length > max) throw new UsageError(`--${flag} may have at most ${max} characters`);
  return trimmed;
}

/** An email address, normalized the way the user store keeps it. */
export function email(flag: string, value: string): string {
  const normalized = normalizeEmail(value);
  if (!isPlausibleEmail(normalized)) throw new UsageError(`--${flag} "${value.trim()}" is not an email address`);
  return normalized;
}
