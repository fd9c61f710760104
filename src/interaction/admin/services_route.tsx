/**
 * GET /admin/services (search), GET /admin/services/{clientId} (one service), and its forms:
 * Suspend (with a reason), Unsuspend, Verify publisher and Withdraw the mark. Each form goes
 * through the one service that writes it (services/app_suspensions.ts, services/app_verification.ts),
 * as the CLI does, with the operator as the actor (`via: 'admin'`). The guard (guard.ts) and the
 * form guard ran before any handler here.
 * @module
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppOptions, Deps } from '../../deps.ts';
import type { RawParams } from '../../http/urlencoded.ts';
import type { Actor } from '../../domain/audit.ts';
import { signedInOf } from '../../http/signed_in.ts';
import { asRawParams, assembleParams } from '../../http/params.ts';
import { ownEntry } from '../../domain/lookup.ts';
import { MAX_SUSPENSION_REASON } from '../../domain/app_suspensions.ts';
import { BadCursor, searchServices, serviceOverview } from '../../services/operator_reads.ts';
import { suspendApp, unsuspendApp } from '../../services/app_suspensions.ts';
import { setPublisherVerified } from '../../services/app_verification.ts';
import { sendPage } from '../views/send_page.ts';
import { sendMessagePage } from '../views/error_page.tsx';
import { logoutToken } from '../logout/route.tsx';
import { adminToken } from './guard.ts';
import { ADMIN } from './paths.ts';
import { ServicePageView, ServiceSearchView } from './services_view.tsx';
import { asFilter, sendBadCursorPage, yesNo } from './layout.tsx';

/** One page of the search. */
export const PAGE_SIZE = 50;

/** What a `?done=` after an action says (a fixed table: no text from the request is shown). */
const NOTICES: Record<string, string> = {
  suspended: 'Suspended. Its tokens, codes and sign-ins are refused everywhere from now on.',
  unsuspended: 'Unsuspended. Its refresh tokens work again; access tokens issued before the suspension stay refused.',
  not_suspended: 'It was not suspended: nothing changed.',
  verified: 'The publisher is marked verified.',
  unverified: 'The verified mark is withdrawn.',
};

type ServiceRequest = FastifyRequest<{ Params: { clientId: string } }>;


/** The operator acting, as the audit records them. */
function actorOf(userId: string): Actor {
  return { via: 'admin', userId };
}

function notFound(reply: FastifyReply): FastifyReply {
  return sendMessagePage(reply, 404, 'No such service', 'There is no service with this client id.');
}

async function sendService(deps: Deps, request: ServiceRequest, reply: FastifyReply, notice: string | undefined, reasonError?: string) {
  const signedIn = await signedInOf(request);
  const overview = await serviceOverview(deps, request.params.clientId);
  if (!overview) return notFound(reply);
  const page = (
    <ServicePageView
      logoutToken={logoutToken(deps, signedIn.session.id)}
      overview={overview}
      token={adminToken(deps, signedIn, overview.app.id)}
      notice={notice}
      reasonError={reasonError}
    />
  );
  return sendPage(reply, page, { status: reasonError === undefined ? 200 : 400 });
}

export default async function serviceRoutes(app: FastifyInstance, { deps }: AppOptions): Promise<void> {
  app.get(ADMIN.services, async (request, reply) => {
    const signedIn = await signedInOf(request);
    const q = assembleParams(['q', 'suspended', 'verified', 'after'], request.query as RawParams);
    const [suspended, verified] = [yesNo(q.suspended), yesNo(q.verified)];
    const filters = { query: q.q, suspended: asFilter(suspended), verified: asFilter(verified) };
    let found;
    try {
      found = await searchServices(deps, { ...filters, limit: PAGE_SIZE, ...(q.after === undefined ? {} : { after: q.after }) });
    } catch (err) {
      if (err instanceof BadCursor) return sendBadCursorPage(reply);
      throw err;
    }
    const next = found.next === undefined ? undefined : `${ADMIN.services}?${new URLSearchParams({ q: q.q ?? '', suspended: suspended ?? '', verified: verified ?? '', after: found.next })}`;
    const page = <ServiceSearchView logoutToken={logoutToken(deps, signedIn.session.id)} query={q.q} suspended={suspended} verified={verified} services={found.services} nextUrl={next} />;
    return sendPage(reply, page);
  });

  app.get('/admin/services/:clientId', async (request: ServiceRequest, reply) => {
    const { done } = assembleParams(['done'], request.query as RawParams);
    return sendService(deps, request, reply, ownEntry(NOTICES, done));
  });

  app.post('/admin/services/:clientId/suspend', async (request: ServiceRequest, reply) => {
    const signedIn = await signedInOf(request);
    const { reason } = assembleParams(['reason'], asRawParams(request.body));
    const outcome = await suspendApp(deps, request.params.clientId, reason ?? '', deps.clock.now(), actorOf(signedIn.user.id));
    if (outcome.kind === 'unknown_app') return notFound(reply);
    if (outcome.kind === 'bad_reason') return sendService(deps, request, reply, undefined, `Give a reason, at most ${MAX_SUSPENSION_REASON} characters: the service’s owners see it.`);
    return reply.code(303).header('location', `${ADMIN.service(outcome.suspension.appId)}?done=suspended`).send();
  });

  app.post('/admin/services/:clientId/unsuspend', async (request: ServiceRequest, reply) => {
    const signedIn = await signedInOf(request);
    const found = await deps.stores.apps.find(request.params.clientId);
    if (!found) return notFound(reply);
    const lifted = await unsuspendApp(deps, found.id, deps.clock.now(), actorOf(signedIn.user.id));
    return reply.code(303).header('location', `${ADMIN.service(found.id)}?done=${lifted ? 'unsuspended' : 'not_suspended'}`).send();
  });

  for (const verified of [true, false]) {
    app.post(`/admin/services/:clientId/${verified ? 'verify' : 'unverify'}`, async (request: ServiceRequest, reply) => {
      const signedIn = await signedInOf(request);
      const changed = await setPublisherVerified(deps, request.params.clientId, verified, deps.clock.now(), actorOf(signedIn.user.id));
      if (!changed) return notFound(reply);
      return reply.code(303).header('location', `${ADMIN.service(changed.id)}?done=${verified ? 'verified' : 'unverified'}`).send();
    });
  }
}
