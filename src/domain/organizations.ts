/** Organizations and who belongs to them. */
export type Role = 'owner' | 'member';

export interface Organization {
  id: string;
  slug: string;
  name: string;
  createdAt: number;
}

export interface Membership {
  org: Organization;
  role: Role;
}

export interface OrganizationStore {
  /** `undefined` when the slug is taken. */
  create(input: { slug: string; name: string; ownerUserId?: string }, now: number): Promise<Organization | undefined>;
  findBySlug(slug: string): Promise<Organization | undefined>;
  /** Adds or updates a membership. */
  setMember(orgId: string, userId: string, role: Role, now: number): Promise<void>;
  listForUser(userId: string): Promise<Membership[]>;
}

/** URL-safe slugs: lowercase letters, digits and single dashes, 2–39 characters. */
export function isValidSlug(slug: string): boolean {
  return /^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){1,38}$/.test(slug);
}
