/**
 * Who will own a new app: the person registering it, or one of the organizations where they are
 * an owner (issue 5). Read from `owner_org` (an organization's slug; empty or absent: the person).
 * An organization the person does not own is refused exactly like one that does not exist.
 * @module
 */
import type { Organization } from '../domain/organizations.ts';
import type { Checked, RawInput } from '../domain/app_input.ts';

export const OWNER_FIELD = 'owner_org';

/** The owning organization, `undefined` for the person themselves. */
export function checkOwner(raw: RawInput, ownedOrgs: Organization[]): Checked<Organization | undefined> {
  const value = raw[OWNER_FIELD];
  if (value === undefined || value === null || value === '') return { ok: true, value: undefined };
  const org = typeof value === 'string' ? ownedOrgs.find((o) => o.slug === value.trim()) : undefined;
  if (org) return { ok: true, value: org };
  return { ok: false, errors: [{ field: OWNER_FIELD, code: 'invalid_client_metadata', message: 'must be the slug of an organization you own' }] };
}
