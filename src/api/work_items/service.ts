/**
 * Work items and their comments. Each operation reaches the organization and the project first
 * (projects/service.ts), so an item in an organization the person cannot reach is `not_found`.
 * @module
 */
import type { Static } from 'typebox';
import type { Principal } from '../bearer.ts';
import type { ApiContext } from '../context.ts';
import type { Comment, WorkItem, WorkItemChanges } from '../../domain/work_items.ts';
import { ApiError, notFound } from '../problem.ts';
import { reachProject } from '../projects/service.ts';
import type { Comment as CommentSchema, NewWorkItem, WorkItem as WorkItemSchema, WorkItemPatch, WorkItemQuery } from './schemas.ts';

export interface ItemAddress {
  org: string;
  project: string;
}

export function itemView(w: WorkItem): Static<typeof WorkItemSchema> {
  return {
    id: w.number,
    title: w.title,
    type: w.type,
    state: w.state,
    assignee: w.assigneeId,
    description: w.description,
    revision: w.revision,
    created_by: w.createdBy,
    created_at: w.createdAt,
    updated_at: w.updatedAt,
  };
}

export function commentView(c: Comment): Static<typeof CommentSchema> {
  return { id: c.id, author: c.author, body: c.body, created_at: c.createdAt };
}

/** An assignee must be a member of the organization now. */
async function checkAssignee(ctx: ApiContext, orgId: string, assignee: string | null | undefined): Promise<void> {
  if (assignee === undefined || assignee === null) return;
  if (!(await ctx.deps.stores.organizations.isMember(orgId, assignee))) {
    throw new ApiError(400, 'invalid_request', 'assignee not a member', {}, 'assignee must be the id of a member of the organization');
  }
}

function decodeCursor(cursor: string): number {
  const n = Number(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!Number.isSafeInteger(n) || n < 0) throw new ApiError(400, 'invalid_request', 'bad cursor', {}, 'cursor is not one this API gave out');
  return n;
}

export async function listItems(ctx: ApiContext, principal: Principal, at: ItemAddress, query: Static<typeof WorkItemQuery>) {
  const { project } = await reachProject(ctx, principal, at.org, at.project);
  const limit = query.limit ?? 50;
  const items = await ctx.deps.stores.workItems.list(project.id, {
    ...(query.state ? { state: query.state } : {}),
    ...(query.type ? { type: query.type } : {}),
    ...(query.assignee ? { assigneeId: query.assignee === 'me' ? principal.userId : query.assignee } : {}),
    ...(query.cursor ? { after: decodeCursor(query.cursor) } : {}),
    // One more than asked tells whether a next page exists.
    limit: limit + 1,
  });
  const page = items.slice(0, limit);
  if (items.length <= limit) return { items: page.map(itemView) };
  const next = new URLSearchParams();
  for (const name of ['state', 'type', 'assignee'] as const) if (query[name]) next.set(name, String(query[name]));
  next.set('limit', String(limit));
  next.set('cursor', Buffer.from(String(page[page.length - 1]!.number)).toString('base64url'));
  const base = `${ctx.deps.config.issuer}/api/v1/orgs/${at.org}/projects/${at.project}/workitems`;
  return { items: page.map(itemView), next: `${base}?${next.toString()}` };
}

export async function createItem(ctx: ApiContext, principal: Principal, at: ItemAddress, input: Static<typeof NewWorkItem>): Promise<WorkItem> {
  const { org, project } = await reachProject(ctx, principal, at.org, at.project);
  await checkAssignee(ctx, org.id, input.assignee);
  const now = ctx.deps.clock.now();
  return ctx.deps.stores.workItems.create(
    project.id,
    {
      title: input.title,
      type: input.type ?? 'task',
      state: input.state ?? 'new',
      assigneeId: input.assignee ?? null,
      description: input.description ?? '',
      createdBy: principal.userId,
    },
    now,
  );
}

export async function readItem(ctx: ApiContext, principal: Principal, at: ItemAddress, id: number): Promise<WorkItem> {
  // reachProject then find, in one read: this is the API read of issue 7's benchmark (docs/performance.md).
  const { org } = await ctx.access.reach(principal, at.org);
  const found = await ctx.deps.stores.workItems.findByProjectKey(org.id, at.project, id);
  if (!found) throw notFound(`project ${at.org}/${at.project}`);
  if (!found.item) throw notFound(`work item ${id}`);
  return found.item;
}

export async function updateItem(
  ctx: ApiContext,
  principal: Principal,
  at: ItemAddress,
  id: number,
  revision: number | undefined,
  patch: Static<typeof WorkItemPatch>,
): Promise<WorkItem> {
  const { org, project } = await reachProject(ctx, principal, at.org, at.project);
  await checkAssignee(ctx, org.id, patch.assignee);
  const changes: WorkItemChanges = {
    ...(patch.title !== undefined ? { title: patch.title } : {}),
    ...(patch.type !== undefined ? { type: patch.type } : {}),
    ...(patch.state !== undefined ? { state: patch.state } : {}),
    ...(patch.assignee !== undefined ? { assigneeId: patch.assignee } : {}),
    ...(patch.description !== undefined ? { description: patch.description } : {}),
  };
  const result = await ctx.deps.stores.workItems.update(project.id, id, revision, changes, ctx.deps.clock.now());
  if (result.ok) return result.item;
  if (result.reason === 'missing') throw notFound(`work item ${id}`);
  throw new ApiError(412, 'precondition_failed', `revision ${revision}`);
}

export async function deleteItem(ctx: ApiContext, principal: Principal, at: ItemAddress, id: number, revision: number | undefined): Promise<void> {
  const { project } = await reachProject(ctx, principal, at.org, at.project);
  const result = await ctx.deps.stores.workItems.delete(project.id, id, revision);
  if (result === 'missing') throw notFound(`work item ${id}`);
  if (result === 'conflict') throw new ApiError(412, 'precondition_failed', `revision ${revision}`);
}

export async function listComments(ctx: ApiContext, principal: Principal, at: ItemAddress, id: number) {
  const item = await readItem(ctx, principal, at, id);
  return { items: (await ctx.deps.stores.workItems.listComments(item.projectId, item.number)).map(commentView) };
}

export async function addComment(ctx: ApiContext, principal: Principal, at: ItemAddress, id: number, body: string): Promise<Comment> {
  const item = await readItem(ctx, principal, at, id);
  const comment = await ctx.deps.stores.workItems.addComment(item.projectId, item.number, principal.userId, body, ctx.deps.clock.now());
  if (!comment) throw notFound(`work item ${id}`);
  return comment;
}
