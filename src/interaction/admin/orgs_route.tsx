/**
 * GET /admin/orgs (search by name or slug) and GET /admin/orgs/{slug} (one organization,
 * read-only: its owners change it). The organization page reads what the owners' settings page
 * reads (orgs/settings_model.ts), so the two cannot disagree. The guard (guard.ts) ran before any
 * handler here.
 * @module
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppOptions } from '../../deps.ts';
import type { RawParams } from '../../http/urlencoded.ts';
import { signedInOf } from '../../http/signed_in.ts';
import { assembleParams } from '../../http/params.ts';
import { isValidSlug } from '../../domain/organizations.ts';
import { BadCursor, searchOrgs } from '../../services/operator_reads.ts';
import { loadSettings } from '../orgs/settings_model.ts';
import { sendPage } from '../views/send_page.ts';
import { sendMessagePage } from '../views/error_page.tsx';
import { logoutToken } from '../logout/route.tsx';
import { ADMIN } from './paths.ts';
import { OrgPageView, OrgSearchView } from './orgs_view.tsx';
import { sendBadCursorPage } from './layout.tsx';
import { PAGE_SIZE } from './services_route.tsx';

export default async function orgRoutes(app: FastifyInstance, { deps }: AppOptions): Promise<void> {
  app.get(ADMIN.orgs, async (request, reply) => {
    const signedIn = await signedInOf(request);
    const q = assembleParams(['q', 'after'], request.query as RawParams);
    let found;
    try {
      found = await searchOrgs(deps, { query: q.q, limit: PAGE_SIZE, ...(q.after === undefined ? {} : { after: q.after }) });
    } catch (err) {
      if (err instanceof BadCursor) return sendBadCursorPage(reply);
      throw err;
    }
    const next = found.next === undefined ? undefined : `${ADMIN.orgs}?${new URLSearchParams({ q: q.q ?? '', after: found.next })}`;
    return sendPage(reply, <OrgSearchView logoutToken={logoutToken(deps, signedIn.session.id)} query={q.q} orgs={found.orgs} nextUrl={next} />);
  });

  app.get('/admin/orgs/:slug', async (request: FastifyRequest<{ Params: { slug: string } }>, reply) => {
    const signedIn = await signedInOf(request);
    const { slug } = request.params;
    const org = isValidSlug(slug) ? await deps.stores.organizations.findBySlug(slug) : undefined;
    if (!org) return sendMessagePage(reply, 404, 'No such organization', 'There is no organization with this slug.');
    // The operator is no member of it: nobody on the page is "you".
    const model = await loadSettings(deps, org, '');
    return sendPage(reply, <OrgPageView logoutToken={logoutToken(deps, signedIn.session.id)} org={{ slug: org.slug, name: org.name }} model={model} />);
  });
}
