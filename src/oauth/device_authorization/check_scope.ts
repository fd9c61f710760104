/**
 * What the device flow may ask for (issue 17): the scopes of /authorize (checkScope), less what
 * a phished code must never hand over. `full_access` is never granted this way, and the other
 * high-privilege scopes only to a verified app: the person approving cannot see the device.
 * @module
 */
import type { App } from '../../domain/apps.ts';
import { SCOPES } from '../../domain/scopes.ts';
import { checkScope } from '../authorize/check_scope.ts';
import { InvalidScope } from '../errors.ts';

export function checkDeviceScope(app: App, scope: string | undefined): string[] {
  const scopes = checkScope(app, scope);
  if (scopes.includes('full_access')) throw new InvalidScope('full_access is never granted through the device flow');
  if (!app.verified) {
    const high = scopes.find((s) => SCOPES[s]!.highPrivilege);
    if (high !== undefined) throw new InvalidScope(`${high} needs a verified app in the device flow`);
  }
  return [...new Set(scopes)];
}
