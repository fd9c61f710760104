/** GET / — where a sign-in without a pending authorization lands. */
import type { FastifyInstance } from 'fastify';
import type { AppOptions } from '../../deps.ts';
import { signedInOf } from '../../http/signed_in.ts';
import { signedInPage } from '../guards.ts';
import { sendPage } from '../views/send_page.ts';
import { logoutToken } from '../logout/route.tsx';
import { HomeView } from './view.tsx';

export default async function homeRoutes(app: FastifyInstance, { deps }: AppOptions): Promise<void> {
  app.get('/', { onRequest: signedInPage }, async (request, reply) => {
    const { user, session } = await signedInOf(request);
    return sendPage(reply, <HomeView name={user.name} email={user.email} logoutToken={logoutToken(deps, session.id)} />);
  });
}
