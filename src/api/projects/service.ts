/**
 * Projects of an organization. Every operation first reaches the organization (membership and
 * policy, org_access.ts); a project of an organization the person cannot reach is `not_found`.
 * @module
 */
import type { Static } from 'typebox';
import type { Principal } from '../bearer.ts';
import type { ApiContext } from '../context.ts';
import type { Organization } from '../../domain/organizations.ts';
import { projectKey, type Project } from '../../domain/projects.ts';
import { ApiError, notFound } from '../problem.ts';
import type { NewProject, Project as ProjectSchema } from './schemas.ts';

export function projectView(p: Project): Static<typeof ProjectSchema> {
  return { key: p.key, name: p.name, description: p.description, created_at: p.createdAt };
}

/** The organization and the project, or `not_found` for either (after the org's refusals). */
export async function reachProject(ctx: ApiContext, principal: Principal, orgSlug: string, key: string): Promise<{ org: Organization; project: Project }> {
  const { org } = await ctx.access.reach(principal, orgSlug);
  const project = await ctx.deps.stores.projects.findByKey(org.id, key);
  if (!project) throw notFound(`project ${orgSlug}/${key}`);
  return { org, project };
}

export async function listProjects(ctx: ApiContext, principal: Principal, orgSlug: string) {
  const { org } = await ctx.access.reach(principal, orgSlug);
  const projects = await ctx.deps.stores.projects.listForOrg(org.id);
  return { items: projects.map(projectView) };
}

export async function createProject(ctx: ApiContext, principal: Principal, orgSlug: string, input: Static<typeof NewProject>): Promise<Project> {
  const { org } = await ctx.access.reach(principal, orgSlug);
  const name = input.name.trim();
  const key = projectKey(name);
  if (key.length < 2) throw new ApiError(400, 'invalid_request', 'no key', {}, 'the name must contain at least two letters or digits');
  const now = ctx.deps.clock.now();
  const project = await ctx.deps.stores.projects.create({ orgId: org.id, key, name, description: input.description ?? '' }, now);
  if (!project) throw new ApiError(409, 'conflict', 'key taken', {}, `a project with key "${key}" already exists in this organization`);
  await ctx.deps.stores.audit.record({ type: 'project.created', userId: principal.userId, appId: principal.clientId, detail: { org: org.slug, key } }, now);
  return project;
}
