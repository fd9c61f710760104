/** GET / — where a sign-in without a pending authorization lands: the person's home (issue 20). */
import type { FastifyInstance } from 'fastify';
import type { AppOptions } from '../../deps.ts';
import { signedInOf } from '../../http/signed_in.ts';
import { signedInPage } from '../guards.ts';
import { sendPage } from '../views/send_page.ts';
import { logoutToken } from '../logout/route.tsx';
import { SHOWN_EVENTS, eventText, formatTime } from '../profile/events.ts';
import { HomeView } from './view.tsx';

/** How many of each the home page lists; the rest is one link away. */
const SHOWN = 5;

export default async function homeRoutes(app: FastifyInstance, { deps }: AppOptions): Promise<void> {
  app.get('/', { onRequest: signedInPage }, async (request, reply) => {
    const { user, session } = await signedInOf(request);
    const now = deps.clock.now();
    const [grants, reach, events] = await Promise.all([
      deps.stores.grants.listLive(user.id, now),
      deps.access.reachOf(user.id),
      deps.stores.audit.listForUser(user.id, SHOWN_EVENTS, SHOWN),
    ]);
    // Newest activity first (listLive orders by the last change); names read for the few shown only.
    const shown = grants.slice(0, SHOWN);
    const apps = await Promise.all(shown.map((g) => deps.stores.apps.find(g.appId)));
    const services = shown.flatMap((g, i) => {
      const app = apps[i];
      if (!app) return [];
      return [{ grantId: g.id, name: app.name, lastUsed: g.lastUsedAt === null ? 'never' : formatTime(g.lastUsedAt), suspended: deps.suspensions.isSuspended(app.id) }];
    });
    return sendPage(
      reply,
      <HomeView
        name={user.name}
        email={user.email}
        logoutToken={logoutToken(deps, session.id)}
        services={services}
        serviceCount={grants.length}
        orgs={reach.current.map((m) => ({ name: m.org.name, slug: m.org.slug, role: m.role === 'owner' ? 'Owner' : 'Member' }))}
        events={events.map((e) => ({ at: formatTime(e.at), text: eventText(e.type, e.detail) }))}
      />,
    );
  });
}
