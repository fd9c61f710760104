/**
 * Apps owned by an organization instead of one person (issue 5): the organization's owners manage
 * them in the developer portal. An app has at most one owner: a person (`App.ownerUserId`) or an
 * organization (here), never both.
 * @module
 */

export interface OrgOwnedApp {
  appId: string;
  orgId: string;
}

export interface AppOwnerStore {
  /** The organization that owns this app, if one does. */
  orgOf(appId: string): Promise<string | undefined>;
  /** Hands the app to an organization: it stops belonging to a person in the same write. */
  moveToOrg(appId: string, orgId: string, now: number): Promise<void>;
  /** Apps owned by any of these organizations, newest first. */
  listByOrgs(orgIds: string[]): Promise<OrgOwnedApp[]>;
}
