/** GET /orgs (the person's organizations) and GET /orgs/{slug} (an overview for members). */
import type { FastifyInstance } from 'fastify';
import type { AppOptions } from '../../app.ts';
import type { RawParams } from '../../http/urlencoded.ts';
import { readSession } from '../../core/sessions.ts';
import { assembleParams } from '../../oauth/params.ts';
import { sendPage } from '../views/send_page.ts';
import { logoutToken } from '../logout/route.tsx';
import { visit } from './access.ts';
import { OrgListView, OrgOverviewView } from './list_view.tsx';
import { ORG_PATHS } from './paths.ts';
import { SETTINGS_NOTICES } from './settings_route.tsx';

function notice(query: unknown): string | undefined {
  const { done } = assembleParams(['done'], query as RawParams);
  return done === undefined ? undefined : SETTINGS_NOTICES[done];
}

export default async function listRoutes(app: FastifyInstance, { deps }: AppOptions): Promise<void> {
  app.get(ORG_PATHS.list, async (request, reply) => {
    const signedIn = await readSession(deps, request);
    if (!signedIn) return reply.code(302).header('location', '/login').send();
    const memberships = await deps.stores.organizations.listForUser(signedIn.user.id);
    const orgs = memberships.map((m) => ({ slug: m.org.slug, name: m.org.name, role: m.role }));
    return sendPage(reply, <OrgListView orgs={orgs} notice={notice(request.query)} logoutToken={logoutToken(deps, signedIn.session.id)} />);
  });

  app.get<{ Params: { slug: string } }>(`${ORG_PATHS.list}/:slug`, async (request, reply) => {
    const visited = await visit(deps, request, reply, request.params.slug);
    if (!visited) return reply;
    const { org, role } = visited.membership;
    const [members, policy] = await Promise.all([deps.stores.orgMembers.listMembers(org.id), deps.stores.organizations.policyOf(org.id)]);
    const namesOf = async (ids: string[]) => (await Promise.all(ids.map((id) => deps.stores.apps.find(id)))).flatMap((a) => (a ? [a.name] : [])).sort();
    const withRule = (rule: string) => [...policy.apps].filter(([, r]) => r === rule).map(([id]) => id);
    const page = (
      <OrgOverviewView
        org={{ slug: org.slug, name: org.name }}
        role={role}
        owners={members.filter((m) => m.role === 'owner').map((m) => m.name)}
        memberCount={members.length}
        mode={policy.thirdParty}
        approved={await namesOf(withRule('approved'))}
        cutOff={await namesOf(withRule('blocked'))}
        notice={notice(request.query)}
        logoutToken={logoutToken(deps, visited.signedIn.session.id)}
      />
    );
    return sendPage(reply, page);
  });
}
