import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context.ts';
import { requireScope } from '../bearer.ts';
import { REFUSALS } from '../schemas.ts';
import { OrganizationList } from './schemas.ts';
import { listOrganizations } from './service.ts';

export function organizationRoutes(api: FastifyInstance, { access }: ApiContext): void {
  api.get(
    '/orgs',
    {
      schema: { summary: 'Organizations the person belongs to and this service may act in', tags: ['organizations'], security: [{ bearer: ['orgs:read'] }], response: { 200: OrganizationList, ...REFUSALS } },
      preHandler: requireScope('orgs:read'),
    },
    async (request) => listOrganizations(access, request.principal),
  );
}
