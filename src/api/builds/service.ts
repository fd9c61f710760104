/**
 * Build definitions and builds of a project. Each operation reaches the organization and the
 * project first (projects/service.ts), so a build in an organization the person cannot reach is
 * `not_found`. Queuing pins the branch's commit and wakes this node's runner (jobs/builds/).
 * @module
 */
import type { Static } from 'typebox';
import type { Principal } from '../bearer.ts';
import type { ApiContext } from '../context.ts';
import { MAX_PENDING_BUILDS, checkSteps, isValidDefinitionName, type Build, type BuildDefinition, type BuildLogLine, type BuildStep, type StepInput } from '../../domain/builds.ts';
import { normalizePath } from '../../domain/repositories.ts';
import { ApiError, notFound } from '../problem.ts';
import { reachProject } from '../projects/service.ts';
import type { Build as BuildSchema, BuildQuery, Definition as DefinitionSchema, NewDefinition, QueueBuild } from './schemas.ts';

export interface ProjectAddress {
  org: string;
  project: string;
}

const invalid = (detail: string) => new ApiError(400, 'invalid_request', detail, {}, detail);

export function definitionView(d: BuildDefinition): Static<typeof DefinitionSchema> {
  return { name: d.name, repository: d.repoName, branch: d.branch, steps: d.steps, created_by: d.createdBy, created_at: d.createdAt };
}

export function buildView(b: Build): Static<typeof BuildSchema> {
  return {
    id: b.number,
    definition: b.definitionName,
    status: b.status,
    branch: b.branch,
    commit: b.commitId,
    queued_by: b.queuedBy,
    queued_at: b.queuedAt,
    started_at: b.startedAt,
    finished_at: b.finishedAt,
    attempts: b.attempts,
    result: b.result,
  };
}

/** Paths in steps are repository paths: normalized, and never `..` (domain/repositories.ts). */
function normalizeSteps(steps: readonly StepInput[]): StepInput[] {
  return steps.map((step, i) => {
    if (step.path === undefined) return step;
    const path = normalizePath(step.path);
    if (path === undefined || path === '') throw invalid(`steps[${i}].path has an empty, "." or ".." segment, a backslash or NUL, or is too long`);
    return { ...step, path };
  });
}

export async function listDefinitions(ctx: ApiContext, principal: Principal, at: ProjectAddress) {
  const { project } = await reachProject(ctx, principal, at.org, at.project);
  return { items: (await ctx.deps.stores.builds.listDefinitions(project.id)).map(definitionView) };
}

export async function createDefinition(ctx: ApiContext, principal: Principal, at: ProjectAddress, input: Static<typeof NewDefinition>): Promise<BuildDefinition> {
  const { org, project } = await reachProject(ctx, principal, at.org, at.project);
  if (!isValidDefinitionName(input.name)) throw invalid('name: letters, digits, ".", "_", "-"; not "." or ".."');
  const inputs = normalizeSteps(input.steps);
  const problem = checkSteps(inputs);
  if (problem) throw invalid(`steps: ${problem}`);
  // checkSteps saw each kind's members: the flat objects are BuildSteps now.
  const steps = inputs as BuildStep[];
  const repo = await ctx.deps.stores.repositories.findByName(org.id, input.repository);
  if (!repo) throw invalid('repository: no repository of that name in this organization');
  const branch = input.branch ?? repo.defaultBranch;
  if (!(await ctx.deps.stores.repositories.resolve(repo.id, branch))) throw invalid('branch: the repository has no such branch');
  const now = ctx.deps.clock.now();
  const definition = await ctx.deps.stores.builds.createDefinition({ projectId: project.id, name: input.name, repoId: repo.id, branch, steps, createdBy: principal.userId }, now);
  if (!definition) throw new ApiError(409, 'conflict', 'name taken', {}, `a build definition named "${input.name}" already exists in this project`);
  await ctx.deps.stores.audit.record({ type: 'build_definition.created', userId: principal.userId, appId: principal.clientId, detail: { org: org.slug, project: project.key, name: input.name } }, now);
  return definition;
}

export async function readDefinition(ctx: ApiContext, principal: Principal, at: ProjectAddress, name: string): Promise<BuildDefinition> {
  const { project } = await reachProject(ctx, principal, at.org, at.project);
  const definition = await ctx.deps.stores.builds.findDefinition(project.id, name);
  if (!definition) throw notFound(`build definition ${name}`);
  return definition;
}

export async function queueBuild(ctx: ApiContext, principal: Principal, at: ProjectAddress, input: Static<typeof QueueBuild>): Promise<Build> {
  const { org, project } = await reachProject(ctx, principal, at.org, at.project);
  const definition = await ctx.deps.stores.builds.findDefinition(project.id, input.definition);
  if (!definition) throw invalid('definition: no build definition of that name in this project');
  const branch = input.branch ?? definition.branch;
  // The build runs against the commit the branch points at now, whatever is committed later.
  const commit = await ctx.deps.stores.repositories.resolve(definition.repoId, branch);
  if (!commit) throw invalid('branch: the repository has no such branch');
  if ((await ctx.deps.stores.builds.countPending(project.id)) >= MAX_PENDING_BUILDS) {
    throw new ApiError(409, 'conflict', 'too many pending builds', {}, `the project already has ${MAX_PENDING_BUILDS} builds queued or running; wait for some to finish`);
  }
  const now = ctx.deps.clock.now();
  const build = await ctx.deps.stores.builds.queue({ projectId: project.id, definitionId: definition.id, branch, commitId: commit.id, queuedBy: principal.userId }, now);
  await ctx.deps.stores.audit.record({ type: 'build.queued', userId: principal.userId, appId: principal.clientId, detail: { org: org.slug, project: project.key, build: build.number } }, now);
  ctx.deps.builds.wake();
  return build;
}

function decodeCursor(cursor: string): number {
  const n = Number(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!Number.isSafeInteger(n) || n < 1) throw invalid('cursor is not one this API gave out');
  return n;
}

export async function listBuilds(ctx: ApiContext, principal: Principal, at: ProjectAddress, query: Static<typeof BuildQuery>) {
  const { project } = await reachProject(ctx, principal, at.org, at.project);
  const limit = query.limit ?? 50;
  let definitionId: string | undefined;
  if (query.definition) {
    const definition = await ctx.deps.stores.builds.findDefinition(project.id, query.definition);
    if (!definition) return { items: [] };
    definitionId = definition.id;
  }
  const builds = await ctx.deps.stores.builds.list(project.id, {
    ...(definitionId ? { definitionId } : {}),
    ...(query.status ? { status: query.status } : {}),
    ...(query.cursor ? { before: decodeCursor(query.cursor) } : {}),
    // One more than asked tells whether a next page exists.
    limit: limit + 1,
  });
  const page = builds.slice(0, limit);
  if (builds.length <= limit) return { items: page.map(buildView) };
  const next = new URLSearchParams();
  for (const name of ['definition', 'status'] as const) if (query[name]) next.set(name, String(query[name]));
  next.set('limit', String(limit));
  next.set('cursor', Buffer.from(String(page[page.length - 1]!.number)).toString('base64url'));
  const base = `${ctx.deps.config.issuer}/api/v1/orgs/${at.org}/projects/${at.project}/builds`;
  return { items: page.map(buildView), next: `${base}?${next.toString()}` };
}

export async function readBuild(ctx: ApiContext, principal: Principal, at: ProjectAddress, number: number): Promise<Build> {
  const { project } = await reachProject(ctx, principal, at.org, at.project);
  const build = await ctx.deps.stores.builds.find(project.id, number);
  if (!build) throw notFound(`build ${number}`);
  return build;
}

/** `TIME TEXT` per line, TIME in ISO 8601 UTC to the second. */
export function formatLog(lines: readonly BuildLogLine[]): string {
  return lines.map((l) => `${new Date(l.at * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z')} ${l.text}\n`).join('');
}

export async function readLog(ctx: ApiContext, principal: Principal, at: ProjectAddress, number: number): Promise<{ build: Build; text: string }> {
  const build = await readBuild(ctx, principal, at, number);
  return { build, text: formatLog(await ctx.deps.stores.builds.readLog(build.id)) };
}
