/** Addresses of the organization pages; the only place they are spelled out. */
import { approvalRequestPath } from '../../domain/policies.ts';

export const ORGS_PATH = '/orgs';

export const ORG_PATHS = {
  list: ORGS_PATH,
  overview: (slug: string) => `${ORGS_PATH}/${encodeURIComponent(slug)}`,
  settings: (slug: string) => `${ORGS_PATH}/${encodeURIComponent(slug)}/settings`,
  /** A settings form: `members/add`, `members/role`, `members/remove`, `invitations/cancel`, `policy`, `second-factor`, `apps`, `requests`. */
  settingsForm: (slug: string, form: SettingsForm) => `${ORGS_PATH}/${encodeURIComponent(slug)}/settings/${form}`,
} as const;

export const SETTINGS_FORMS = ['members/add', 'members/role', 'members/remove', 'invitations/cancel', 'policy', 'second-factor', 'device-flow', 'apps', 'requests'] as const;
export type SettingsForm = (typeof SETTINGS_FORMS)[number];

/**
 * The page where a member asks the owners of organization `slug` to approve the service
 * `clientId`. The API's `org_policy_blocked` problem links here (api/org_access.ts `approval_url`;
 * both use domain/policies.ts `approvalRequestPath`); the approval page links here for
 * organizations that exclude a service.
 */
export function approvalRequestUrl(slug: string, clientId: string): string {
  return approvalRequestPath(slug, clientId);
}

/** The query an approval page's request link carries, so the request page can point back to it (issue 20). */
export const FROM_APPROVAL = 'from=approval';
