import type { FastifyInstance } from 'fastify';
import type { Static } from 'typebox';
import type { ApiContext } from '../context.ts';
import { requireScope } from '../bearer.ts';
import { OrgParams, Problem, REFUSALS } from '../schemas.ts';
import { NewProject, Project, ProjectList, ProjectParams } from './schemas.ts';
import { createProject, listProjects, projectView, reachProject } from './service.ts';

export function projectRoutes(api: FastifyInstance, ctx: ApiContext): void {
  api.get(
    '/orgs/:org/projects',
    {
      schema: { summary: 'List projects', tags: ['projects'], security: [{ bearer: ['workitems:read'] }], params: OrgParams, response: { 200: ProjectList, ...REFUSALS } },
      preHandler: requireScope('workitems:read'),
    },
    async (request) => listProjects(ctx, request.principal, (request.params as Static<typeof OrgParams>).org),
  );

  api.post(
    '/orgs/:org/projects',
    {
      schema: {
        summary: 'Create a project; its key is derived from the name',
        tags: ['projects'],
        security: [{ bearer: ['workitems:write'] }],
        params: OrgParams,
        body: NewProject,
        response: { 201: Project, 409: Problem, 415: Problem, ...REFUSALS },
      },
      preHandler: requireScope('workitems:write'),
    },
    async (request, reply) => {
      const { org } = request.params as Static<typeof OrgParams>;
      const project = await createProject(ctx, request.principal, org, request.body as Static<typeof NewProject>);
      reply.code(201).header('location', `${ctx.deps.config.issuer}/api/v1/orgs/${org}/projects/${project.key}`);
      return projectView(project);
    },
  );

  api.get(
    '/orgs/:org/projects/:project',
    {
      schema: { summary: 'Read a project', tags: ['projects'], security: [{ bearer: ['workitems:read'] }], params: ProjectParams, response: { 200: Project, ...REFUSALS } },
      preHandler: requireScope('workitems:read'),
    },
    async (request) => {
      const { org, project } = request.params as Static<typeof ProjectParams>;
      return projectView((await reachProject(ctx, request.principal, org, project)).project);
    },
  );
}
