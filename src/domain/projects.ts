/** Projects: a named container of work items inside an organization, addressed by a URL-safe key. */
export interface Project {
  id: string;
  orgId: string;
  /** URL-safe, derived from the name (projectKey), unique in the organization. */
  key: string;
  name: string;
  description: string;
  createdAt: number;
}

export interface ProjectStore {
  /** `undefined` when the key is taken in this organization. */
  create(input: { orgId: string; key: string; name: string; description: string }, now: number): Promise<Project | undefined>;
  findByKey(orgId: string, key: string): Promise<Project | undefined>;
  listForOrg(orgId: string): Promise<Project[]>;
}

/** "Mobile App (v2)" → "mobile-app-v2": lowercase ASCII letters and digits joined by single dashes. */
export function projectKey(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 39)
    .replace(/-+$/, '');
}
