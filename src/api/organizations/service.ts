/** GET /orgs: the organizations the person belongs to and this service may act in. */
import type { Static } from 'typebox';
import type { Principal } from '../bearer.ts';
import type { OrgAccess } from '../org_access.ts';
import type { OrganizationList } from './schemas.ts';

export async function listOrganizations(access: OrgAccess, principal: Principal): Promise<Static<typeof OrganizationList>> {
  const memberships = await access.reachable(principal);
  return { items: memberships.map((m) => ({ id: m.org.id, slug: m.org.slug, name: m.org.name, role: m.role })) };
}
