/** What the API's route modules share, built once per app in routes.ts. */
import type { Deps } from '../deps.ts';
import type { OrgAccess } from './org_access.ts';

export interface ApiContext {
  deps: Deps;
  access: OrgAccess;
}
