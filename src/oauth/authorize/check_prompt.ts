/**
 * `prompt` and `max_age` (OIDC Core §3.1.2.1), and the rule that turns them and the session
 * into "sign in (again)".
 * @module
 */
import type { Session } from '../../domain/sessions.ts';
import type { AuthorizationRequest } from '../../domain/interactions.ts';
import { InvalidRequest } from '../errors.ts';

const PROMPTS = new Set(['none', 'login', 'consent']);

export function checkPrompt(prompt: string | undefined): string[] {
  if (prompt === undefined) return [];
  const values = [...new Set(prompt.split(' ').filter((v) => v !== ''))];
  if (values.some((v) => !PROMPTS.has(v))) throw new InvalidRequest('unsupported prompt value');
  // OIDC Core §3.1.2.1: "none" with any other value is an error.
  if (values.includes('none') && values.length > 1) throw new InvalidRequest('prompt=none combined with another value');
  return values;
}

export function checkMaxAge(maxAge: string | undefined): number | undefined {
  if (maxAge === undefined) return undefined;
  if (!/^\d{1,10}$/.test(maxAge)) throw new InvalidRequest('max_age malformed');
  return Number(maxAge);
}

/** The prompt values, read leniently: used to decide on sign-in before the request is validated. */
export function promptValues(prompt: string | undefined): string[] {
  return prompt === undefined ? [] : prompt.split(' ');
}

/**
 * Whether the person must sign in (again) before this request goes on. `signedInSince` is when the
 * pending request began: a sign-in at or after it satisfies prompt=login and max_age, so the
 * person is asked once, not in a loop.
 */
export function needsSignIn(
  session: Session | undefined,
  request: Pick<AuthorizationRequest, 'prompt' | 'maxAge'>,
  now: number,
  signedInSince?: number,
): boolean {
  if (!session) return true;
  if (signedInSince !== undefined && session.authTime >= signedInSince) return false;
  if (request.prompt.includes('login')) return true;
  if (request.maxAge === undefined) return false;
  // OIDC Core §3.1.2.1 (errata set 2): "max_age=0 is equivalent to prompt=login", even for a
  // sign-in made in the same second; otherwise re-authenticate when more than max_age seconds passed.
  return request.maxAge === 0 || now - session.authTime > request.maxAge;
}
