/**
 * GET /developers/guide — the developer guide (issue 20). Public and without a session, like the
 * API's own page: registered outside the portal pages' plugin, whose hook sends everyone without a
 * session to /login.
 * @module
 */
import type { FastifyInstance } from 'fastify';
import { sendPage } from '../../interaction/views/send_page.ts';
import { PORTAL } from '../pages/paths.ts';
import { GuideView } from './view.tsx';

export default async function guideRoute(app: FastifyInstance): Promise<void> {
  app.get(PORTAL.guide, async (_request, reply) => sendPage(reply, <GuideView />));
}
