/** GET / — where a sign-in without a pending authorization lands. */
import type { FastifyInstance } from 'fastify';
import type { AppOptions } from '../../app.ts';
import { readSession } from '../../core/sessions.ts';
import { sendPage } from '../views/send_page.ts';
import { logoutToken } from '../logout/route.tsx';
import { HomeView } from './view.tsx';

export default async function homeRoutes(app: FastifyInstance, { deps }: AppOptions): Promise<void> {
  app.get('/', async (request, reply) => {
    const signedIn = await readSession(deps, request);
    if (!signedIn) return reply.code(302).header('location', '/login').send();
    const { user, session } = signedIn;
    return sendPage(reply, <HomeView name={user.name} email={user.email} logoutToken={logoutToken(deps, session.id)} />);
  });
}
