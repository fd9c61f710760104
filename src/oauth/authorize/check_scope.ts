/**
 * Scopes: required, well-formed, known, and allowed for this app (RFC 6749 §3.3, SECURITY 26).
 * Nothing is narrowed silently: a scope the app may not ask for is refused as a whole.
 */
import type { App } from '../../domain/apps.ts';
import { SCOPES, parseScope } from '../../domain/scopes.ts';
import { InvalidScope } from '../errors.ts';

export function checkScope(app: App, scope: string | undefined): string[] {
  if (scope === undefined) throw new InvalidScope('scope missing');
  const scopes = parseScope(scope);
  if (!scopes || scopes.length === 0) throw new InvalidScope('scope malformed');
  for (const s of scopes) {
    if (!Object.hasOwn(SCOPES, s)) throw new InvalidScope(`unknown scope ${s.slice(0, 64)}`);
    if (!app.scopes.includes(s)) throw new InvalidScope(`scope ${s} not allowed for this app`);
  }
  return scopes;
}
