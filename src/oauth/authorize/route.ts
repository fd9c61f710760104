/**
 * The authorization endpoint (RFC 6749 §3.1): GET and POST /authorize (SECURITY 7), and
 * /authorize/resume where sign-in returns. Handlers stay thin; the steps are in authorize.ts.
 * @module
 */
import type { FastifyInstance } from 'fastify';
import type { AppOptions } from '../../deps.ts';
import { rejectOtherMethods } from '../../http/methods.ts';
import type { AuthorizationPages } from './pages.ts';
import { ENDPOINTS } from '../endpoints.ts';
import { authorize } from './authorize.ts';
import { resume } from './resume.ts';
import { sendOutcome } from './respond.ts';
import { RESUME_PATH } from '../../services/interactions.ts';

export interface AuthorizeOptions extends AppOptions {
  /** The pages people see, handed over by app.ts: the protocol does not import them. */
  pages: AuthorizationPages;
}

export default async function authorizeRoutes(app: FastifyInstance, { deps, pages }: AuthorizeOptions): Promise<void> {
  // A browser is on the other end: anything that escapes a step is shown as a page, not JSON.
  pages.registerErrors(app);

  app.route({
    method: ['GET', 'POST'],
    url: ENDPOINTS.authorization,
    handler: async (request, reply) => sendOutcome(pages, request, reply, await authorize(deps, request)),
  });
  rejectOtherMethods(app, ENDPOINTS.authorization, ['GET', 'POST']);

  app.get(RESUME_PATH, async (request, reply) => sendOutcome(pages, request, reply, await resume(deps, request)));
  rejectOtherMethods(app, RESUME_PATH, ['GET']);
}
