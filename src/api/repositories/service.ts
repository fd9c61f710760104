/**
 * Repositories: list and create; read a file or directory at a branch or commit; commit a change
 * to one file. Every operation reaches the organization first (org_access.ts).
 * @module
 */
import type { Static } from 'typebox';
import type { Principal } from '../bearer.ts';
import type { ApiContext } from '../context.ts';
import type { Organization } from '../../domain/organizations.ts';
import { isValidRepoName, listDirectory, normalizePath, type Repository } from '../../domain/repositories.ts';
import { ApiError, notFound } from '../problem.ts';
import type { CommitSchema, Contents, FileChange } from './schemas.ts';

async function reachRepo(ctx: ApiContext, principal: Principal, orgSlug: string, name: string): Promise<{ org: Organization; repo: Repository }> {
  const { org } = await ctx.access.reach(principal, orgSlug);
  const repo = await ctx.deps.stores.repositories.findByName(org.id, name);
  if (!repo) throw notFound(`repo ${orgSlug}/${name}`);
  return { org, repo };
}

/** The wildcard arrives percent-encoded; decoded, `%2E%2E` is the `..` it stands for. */
function path(raw: string): string {
  let decoded: string | undefined;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    decoded = undefined;
  }
  const normalized = decoded === undefined ? undefined : normalizePath(decoded);
  if (normalized === undefined) throw new ApiError(400, 'invalid_request', 'bad path', {}, 'the path has an empty, "." or ".." segment, or is too long');
  return normalized;
}

export async function listRepositories(ctx: ApiContext, principal: Principal, orgSlug: string) {
  const { org } = await ctx.access.reach(principal, orgSlug);
  const repos = await ctx.deps.stores.repositories.listForOrg(org.id);
  return { items: repos.map((r) => ({ name: r.name, default_branch: r.defaultBranch, created_at: r.createdAt })) };
}

export async function createRepository(ctx: ApiContext, principal: Principal, orgSlug: string, name: string) {
  const { org } = await ctx.access.reach(principal, orgSlug);
  if (!isValidRepoName(name)) throw new ApiError(400, 'invalid_request', 'bad name', {}, 'name: letters, digits, ".", "_", "-"; not "." or ".."');
  const now = ctx.deps.clock.now();
  const repo = await ctx.deps.stores.repositories.create({ orgId: org.id, name, defaultBranch: 'main', authorId: principal.userId }, now);
  if (!repo) throw new ApiError(409, 'conflict', 'name taken', {}, `a repository named "${name}" already exists in this organization`);
  await ctx.deps.stores.audit.record({ type: 'repository.created', userId: principal.userId, appId: principal.clientId, detail: { org: org.slug, name } }, now);
  return readRepository(ctx, principal, orgSlug, name);
}

export async function readRepository(ctx: ApiContext, principal: Principal, orgSlug: string, name: string) {
  const { repo } = await reachRepo(ctx, principal, orgSlug, name);
  const head = await ctx.deps.stores.repositories.resolve(repo.id, repo.defaultBranch);
  return { name: repo.name, default_branch: repo.defaultBranch, head: head?.id ?? '', created_at: repo.createdAt };
}

export async function readContents(ctx: ApiContext, principal: Principal, orgSlug: string, name: string, rawPath: string, ref: string | undefined): Promise<Static<typeof Contents>> {
  const { repo } = await reachRepo(ctx, principal, orgSlug, name);
  const at = path(rawPath);
  const commit = await ctx.deps.stores.repositories.resolve(repo.id, ref ?? repo.defaultBranch);
  if (!commit) throw notFound(`ref ${ref}`);
  const blobId = commit.tree.get(at);
  if (blobId !== undefined) {
    const blob = await ctx.deps.stores.repositories.readBlob(blobId);
    if (!blob) throw new Error(`blob ${blobId} missing`);
    return { type: 'file', path: at, sha: blob.id, size: blob.size, content: blob.content, commit: commit.id };
  }
  const entries = listDirectory(commit.tree, at);
  if (!entries) throw notFound(`path ${at}`);
  return { type: 'dir', path: at, entries, commit: commit.id };
}

export async function commitFile(
  ctx: ApiContext,
  principal: Principal,
  orgSlug: string,
  name: string,
  rawPath: string,
  change: Static<typeof FileChange>,
): Promise<Static<typeof CommitSchema>> {
  const { org, repo } = await reachRepo(ctx, principal, orgSlug, name);
  const at = path(rawPath);
  if (at === '') throw new ApiError(400, 'invalid_request', 'no path', {}, 'name the file to change');
  const now = ctx.deps.clock.now();
  const result = await ctx.deps.stores.repositories.commitFile(
    repo.id,
    { branch: change.branch ?? repo.defaultBranch, ...(change.parent ? { parentId: change.parent } : {}), path: at, content: change.content, message: change.message, authorId: principal.userId },
    now,
  );
  if (!result.ok) {
    if (result.reason === 'no_branch') throw notFound(`branch ${change.branch}`);
    if (result.reason === 'no_file') throw notFound(`path ${at}`);
    if (result.reason === 'unchanged') throw new ApiError(409, 'conflict', 'unchanged', {}, 'the file already has this content');
    throw new ApiError(409, 'conflict', 'stale parent', {}, 'the branch moved since the parent commit you named; read it again');
  }
  await ctx.deps.stores.audit.record({ type: 'commit.created', userId: principal.userId, appId: principal.clientId, detail: { org: org.slug, repo: repo.name, commit: result.commit.id } }, now);
  const c = result.commit;
  return { id: c.id, parent: c.parentId, message: c.message, author: c.authorId, created_at: c.createdAt, sha: result.blobId };
}
