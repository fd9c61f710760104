import type { FastifyInstance } from 'fastify';
import type { Static } from 'typebox';
import type { ApiContext } from '../context.ts';
import { requireScope } from '../bearer.ts';
import { Problem, REFUSALS } from '../schemas.ts';
import { ProjectParams } from '../projects/schemas.ts';
import { etagOf, requiredRevision } from './concurrency.ts';
import { Comment, CommentList, ItemParams, NewComment, NewWorkItem, WorkItem, WorkItemPage, WorkItemPatch, WorkItemQuery } from './schemas.ts';
import { addComment, commentView, createItem, deleteItem, itemView, listComments, listItems, readItem, updateItem } from './service.ts';

const BASE = '/orgs/:org/projects/:project/workitems';
type Params = Static<typeof ItemParams>;
const read = { tags: ['work items'], security: [{ bearer: ['workitems:read'] }] };
const write = { tags: ['work items'], security: [{ bearer: ['workitems:write'] }] };

export function workItemRoutes(api: FastifyInstance, ctx: ApiContext): void {
  const itemUrl = (p: { org: string; project: string }, id: number) => `${ctx.deps.config.issuer}/api/v1/orgs/${p.org}/projects/${p.project}/workitems/${id}`;

  api.get(
    BASE,
    {
      schema: { summary: 'List work items (filters, cursor pagination)', ...read, params: ProjectParams, querystring: WorkItemQuery, response: { 200: WorkItemPage, ...REFUSALS } },
      preHandler: requireScope('workitems:read'),
    },
    async (request, reply) => {
      const page = await listItems(ctx, request.principal, request.params as Static<typeof ProjectParams>, request.query as Static<typeof WorkItemQuery>);
      // RFC 8288: the next page is also a Link, for clients that follow headers.
      if (page.next) reply.header('link', `<${page.next}>; rel="next"`);
      return page;
    },
  );

  api.post(
    BASE,
    {
      schema: { summary: 'Create a work item', ...write, params: ProjectParams, body: NewWorkItem, response: { 201: WorkItem, 415: Problem, ...REFUSALS } },
      preHandler: requireScope('workitems:write'),
    },
    async (request, reply) => {
      const params = request.params as Static<typeof ProjectParams>;
      const item = await createItem(ctx, request.principal, params, request.body as Static<typeof NewWorkItem>);
      reply.code(201).header('location', itemUrl(params, item.number)).header('etag', etagOf(item.revision));
      return itemView(item);
    },
  );

  api.get(
    `${BASE}/:id`,
    {
      schema: { summary: 'Read a work item; its ETag is the revision', ...read, params: ItemParams, response: { 200: WorkItem, ...REFUSALS } },
      preHandler: requireScope('workitems:read'),
    },
    async (request, reply) => {
      const params = request.params as Params;
      const item = await readItem(ctx, request.principal, params, params.id);
      reply.header('etag', etagOf(item.revision));
      return itemView(item);
    },
  );

  api.patch(
    `${BASE}/:id`,
    {
      schema: {
        summary: 'Change a work item (If-Match required)',
        ...write,
        params: ItemParams,
        body: WorkItemPatch,
        response: { 200: WorkItem, 412: Problem, 415: Problem, 428: Problem, ...REFUSALS },
      },
      preHandler: requireScope('workitems:write'),
    },
    async (request, reply) => {
      const params = request.params as Params;
      const revision = requiredRevision(request.headers['if-match']);
      const item = await updateItem(ctx, request.principal, params, params.id, revision, request.body as Static<typeof WorkItemPatch>);
      reply.header('etag', etagOf(item.revision));
      return itemView(item);
    },
  );

  api.delete(
    `${BASE}/:id`,
    {
      schema: { summary: 'Delete a work item and its comments (If-Match required)', ...write, params: ItemParams, response: { 204: { type: 'null' }, 412: Problem, 428: Problem, ...REFUSALS } },
      preHandler: requireScope('workitems:write'),
    },
    async (request, reply) => {
      const params = request.params as Params;
      const revision = requiredRevision(request.headers['if-match']);
      await deleteItem(ctx, request.principal, params, params.id, revision);
      return reply.code(204).send();
    },
  );

  api.get(
    `${BASE}/:id/comments`,
    {
      schema: { summary: "A work item's comments, oldest first", ...read, params: ItemParams, response: { 200: CommentList, ...REFUSALS } },
      preHandler: requireScope('workitems:read'),
    },
    async (request) => {
      const params = request.params as Params;
      return listComments(ctx, request.principal, params, params.id);
    },
  );

  api.post(
    `${BASE}/:id/comments`,
    {
      schema: { summary: 'Comment on a work item', ...write, params: ItemParams, body: NewComment, response: { 201: Comment, 415: Problem, ...REFUSALS } },
      preHandler: requireScope('workitems:write'),
    },
    async (request, reply) => {
      const params = request.params as Params;
      const comment = await addComment(ctx, request.principal, params, params.id, (request.body as Static<typeof NewComment>).body);
      reply.code(201);
      return commentView(comment);
    },
  );
}
