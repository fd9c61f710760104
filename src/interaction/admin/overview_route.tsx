/** GET /admin: the console's Overview (issue 21). The guard (guard.ts) ran before the handler. */
import type { FastifyInstance } from 'fastify';
import type { AppOptions } from '../../deps.ts';
import { signedInOf } from '../../http/signed_in.ts';
import { operatorOverview } from '../../services/operator_overview.ts';
import { sendPage } from '../views/send_page.ts';
import { logoutToken } from '../logout/route.tsx';
import { ADMIN } from './paths.ts';
import { OverviewView } from './overview_view.tsx';

export default async function overviewRoutes(app: FastifyInstance, { deps }: AppOptions): Promise<void> {
  app.get(ADMIN.home, async (request, reply) => {
    const signedIn = await signedInOf(request);
    const overview = await operatorOverview(deps);
    return sendPage(reply, <OverviewView logoutToken={logoutToken(deps, signedIn.session.id)} overview={overview} />);
  });
}
