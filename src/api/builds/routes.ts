import type { FastifyInstance } from 'fastify';
import type { Static } from 'typebox';
import type { ApiContext } from '../context.ts';
import { requireScope } from '../bearer.ts';
import { apiMethods } from '../methods.ts';
import { Problem, REFUSALS } from '../schemas.ts';
import { ProjectParams } from '../projects/schemas.ts';
import { Build, BuildPage, BuildParams, BuildQuery, Definition, DefinitionList, DefinitionParams, LogResponse, NewDefinition, QueueBuild } from './schemas.ts';
import { buildView, createDefinition, definitionView, listBuilds, listDefinitions, queueBuild, readBuild, readDefinition, readLog } from './service.ts';

const DEFINITIONS = '/orgs/:org/projects/:project/build-definitions';
const BUILDS = '/orgs/:org/projects/:project/builds';
type Project = Static<typeof ProjectParams>;
// Defining a build needs builds:execute too: a definition only composes built-in steps, and
// queuing it is what runs anything (docs/builds.md, "Scopes").
const read = { tags: ['builds'], security: [{ bearer: ['builds:read'] }] };
const execute = { tags: ['builds'], security: [{ bearer: ['builds:execute'] }] };

export function buildRoutes(api: FastifyInstance, ctx: ApiContext): void {
  const base = (p: Project) => `${ctx.deps.config.issuer}/api/v1/orgs/${p.org}/projects/${p.project}`;

  api.get(DEFINITIONS, { schema: { summary: 'List build definitions', ...read, params: ProjectParams, response: { 200: DefinitionList, ...REFUSALS } }, preHandler: requireScope('builds:read') }, async (request) =>
    listDefinitions(ctx, request.principal, request.params as Project),
  );

  api.post(
    DEFINITIONS,
    {
      schema: { summary: 'Define a build: a repository, a branch and built-in steps', ...execute, params: ProjectParams, body: NewDefinition, response: { 201: Definition, 409: Problem, 415: Problem, ...REFUSALS } },
      preHandler: requireScope('builds:execute'),
    },
    async (request, reply) => {
      const params = request.params as Project;
      const definition = await createDefinition(ctx, request.principal, params, request.body as Static<typeof NewDefinition>);
      reply.code(201).header('location', `${base(params)}/build-definitions/${definition.name}`);
      return definitionView(definition);
    },
  );

  api.get(`${DEFINITIONS}/:definition`, { schema: { summary: 'Read a build definition', ...read, params: DefinitionParams, response: { 200: Definition, ...REFUSALS } }, preHandler: requireScope('builds:read') }, async (request) => {
    const params = request.params as Static<typeof DefinitionParams>;
    return definitionView(await readDefinition(ctx, request.principal, params, params.definition));
  });

  api.get(
    BUILDS,
    {
      schema: { summary: 'List builds with their results, newest first (filters, cursor pagination)', ...read, params: ProjectParams, querystring: BuildQuery, response: { 200: BuildPage, ...REFUSALS } },
      preHandler: requireScope('builds:read'),
    },
    async (request, reply) => {
      const page = await listBuilds(ctx, request.principal, request.params as Project, request.query as Static<typeof BuildQuery>);
      // RFC 8288: the next page is also a Link, for clients that follow headers.
      if (page.next) reply.header('link', `<${page.next}>; rel="next"`);
      return page;
    },
  );

  api.post(
    BUILDS,
    {
      schema: { summary: "Queue a build of a definition at its branch's current commit", ...execute, params: ProjectParams, body: QueueBuild, response: { 201: Build, 409: Problem, 415: Problem, ...REFUSALS } },
      preHandler: requireScope('builds:execute'),
    },
    async (request, reply) => {
      const params = request.params as Project;
      const build = await queueBuild(ctx, request.principal, params, request.body as Static<typeof QueueBuild>);
      reply.code(201).header('location', `${base(params)}/builds/${build.number}`);
      return buildView(build);
    },
  );

  api.get(`${BUILDS}/:id`, { schema: { summary: 'Read a build: its status and result', ...read, params: BuildParams, response: { 200: Build, ...REFUSALS } }, preHandler: requireScope('builds:read') }, async (request) => {
    const params = request.params as Static<typeof BuildParams>;
    return buildView(await readBuild(ctx, request.principal, params, params.id));
  });

  api.get(
    `${BUILDS}/:id/log`,
    { schema: { summary: "Read a build's log (text/plain, so far while it runs)", ...read, params: BuildParams, response: { 200: LogResponse, ...REFUSALS } }, preHandler: requireScope('builds:read') },
    async (request, reply) => {
      const params = request.params as Static<typeof BuildParams>;
      const { text } = await readLog(ctx, request.principal, params, params.id);
      return reply.header('content-type', 'text/plain; charset=utf-8').send(text);
    },
  );

  apiMethods(api, {
    [DEFINITIONS]: ['GET', 'POST'],
    [`${DEFINITIONS}/:definition`]: ['GET'],
    [BUILDS]: ['GET', 'POST'],
    [`${BUILDS}/:id`]: ['GET'],
    [`${BUILDS}/:id/log`]: ['GET'],
  });
}
