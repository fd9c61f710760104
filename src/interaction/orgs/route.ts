/**
 * The organization pages (issue 6): the person's organizations and the invitations they may
 * answer, an overview for members, the settings page for owners, and the approval-request page
 * the API links to.
 * @module
 */
import type { FastifyInstance } from 'fastify';
import type { AppOptions } from '../../deps.ts';
import { rejectOtherMethods } from '../../http/methods.ts';
import { signedInArea } from '../guards.ts';
import { ORG_FORM } from './access.ts';
import listRoutes from './list_route.tsx';
import settingsRoutes from './settings_route.tsx';
import requestRoutes, { REQUEST_ROUTE } from './request_route.tsx';
import { ORGS_PATH, SETTINGS_FORMS } from './paths.ts';

export { approvalRequestUrl } from './paths.ts';

export default async function orgRoutes(app: FastifyInstance, options: AppOptions): Promise<void> {
  // Every page and form here needs a session; forms carry ORG_FORM's token unless they say otherwise.
  signedInArea(app, ORG_FORM);
  await app.register(listRoutes, options);
  await app.register(settingsRoutes, options);
  await app.register(requestRoutes, options);
  rejectOtherMethods(app, ORGS_PATH, ['GET', 'POST']);
  rejectOtherMethods(app, `${ORGS_PATH}/:slug`, ['GET']);
  rejectOtherMethods(app, `${ORGS_PATH}/:slug/settings`, ['GET']);
  for (const form of SETTINGS_FORMS) rejectOtherMethods(app, `${ORGS_PATH}/:slug/settings/${form}`, ['POST']);
  rejectOtherMethods(app, REQUEST_ROUTE, ['GET', 'POST']);
}
