/**
 * The authorization endpoint (RFC 6749 §3.1): GET and POST /authorize (SECURITY 7), and
 * /authorize/resume where sign-in returns. Handlers stay thin; the steps are in authorize.ts.
 * @module
 */
import type { FastifyInstance } from 'fastify';
import type { AppOptions } from '../../deps.ts';
import { rejectOtherMethods } from '../../http/methods.ts';
import { registerPageErrors } from '../../interaction/views/error_page.tsx';
import { ENDPOINTS } from '../endpoints.ts';
import { authorize } from './authorize.ts';
import { resume } from './resume.ts';
import { sendOutcome } from './respond.ts';
import { RESUME_PATH } from '../../services/interactions.ts';

export default async function authorizeRoutes(app: FastifyInstance, { deps }: AppOptions): Promise<void> {
  // A browser is on the other end: anything that escapes a step is shown as a page, not JSON.
  registerPageErrors(app);

  app.route({
    method: ['GET', 'POST'],
    url: ENDPOINTS.authorization,
    handler: async (request, reply) => sendOutcome(deps, request, reply, await authorize(deps, request)),
  });
  rejectOtherMethods(app, ENDPOINTS.authorization, ['GET', 'POST']);

  app.get(RESUME_PATH, async (request, reply) => sendOutcome(deps, request, reply, await resume(deps, request)));
  rejectOtherMethods(app, RESUME_PATH, ['GET']);
}
