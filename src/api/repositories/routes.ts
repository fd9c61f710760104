import type { FastifyInstance } from 'fastify';
import type { Static } from 'typebox';
import type { ApiContext } from '../context.ts';
import { requireScope } from '../bearer.ts';
import { OrgParams, Problem, REFUSALS } from '../schemas.ts';
import { CommitSchema, ContentParams, ContentQuery, Contents, FileChange, NewRepository, RepoParams, Repository, RepositoryList } from './schemas.ts';
import { commitFile, createRepository, listRepositories, readContents, readRepository } from './service.ts';

const read = { tags: ['repositories'], security: [{ bearer: ['code:read'] }] };
const write = { tags: ['repositories'], security: [{ bearer: ['code:write'] }] };

export function repositoryRoutes(api: FastifyInstance, ctx: ApiContext): void {
  api.get('/orgs/:org/repos', { schema: { summary: 'List repositories', ...read, params: OrgParams, response: { 200: RepositoryList, ...REFUSALS } }, preHandler: requireScope('code:read') }, async (request) =>
    listRepositories(ctx, request.principal, (request.params as Static<typeof OrgParams>).org),
  );

  api.post(
    '/orgs/:org/repos',
    { schema: { summary: 'Create a repository (branch main, empty)', ...write, params: OrgParams, body: NewRepository, response: { 201: Repository, 409: Problem, 415: Problem, ...REFUSALS } }, preHandler: requireScope('code:write') },
    async (request, reply) => {
      const { org } = request.params as Static<typeof OrgParams>;
      const repo = await createRepository(ctx, request.principal, org, (request.body as Static<typeof NewRepository>).name);
      reply.code(201).header('location', `${ctx.deps.config.issuer}/api/v1/orgs/${org}/repos/${repo.name}`);
      return repo;
    },
  );

  api.get('/orgs/:org/repos/:repo', { schema: { summary: 'Read a repository', ...read, params: RepoParams, response: { 200: Repository, ...REFUSALS } }, preHandler: requireScope('code:read') }, async (request) => {
    const { org, repo } = request.params as Static<typeof RepoParams>;
    return readRepository(ctx, request.principal, org, repo);
  });

  api.get(
    '/orgs/:org/repos/:repo/contents/*',
    { schema: { summary: 'Read a file or a directory at a branch or commit', ...read, params: ContentParams, querystring: ContentQuery, response: { 200: Contents, ...REFUSALS } }, preHandler: requireScope('code:read') },
    async (request) => {
      const params = request.params as Static<typeof ContentParams> & { '*': string };
      return readContents(ctx, request.principal, params.org, params.repo, params['*'], (request.query as Static<typeof ContentQuery>).ref);
    },
  );

  api.put(
    '/orgs/:org/repos/:repo/contents/*',
    {
      schema: { summary: 'Commit a change to one file (content null deletes it)', ...write, params: ContentParams, body: FileChange, response: { 201: CommitSchema, 409: Problem, 415: Problem, ...REFUSALS } },
      preHandler: requireScope('code:write'),
    },
    async (request, reply) => {
      const params = request.params as Static<typeof ContentParams> & { '*': string };
      const commit = await commitFile(ctx, request.principal, params.org, params.repo, params['*'], request.body as Static<typeof FileChange>);
      reply.code(201);
      return commit;
    },
  );
}
