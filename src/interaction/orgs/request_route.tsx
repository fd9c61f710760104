/**
 * GET and POST /orgs/{slug}/third-party/{clientId}/request: a member asks the owners to approve a
 * service in an organization whose policy is "approved only". The API's `org_policy_blocked`
 * problem links here (api/org_access.ts). One pending request per person, organization and
 * service: asking again while one is pending changes nothing. Not a member: 404; unknown service: 404.
 * @module
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppOptions } from '../../deps.ts';
import type { Deps } from '../../deps.ts';
import type { App } from '../../domain/apps.ts';
import type { RawParams } from '../../http/urlencoded.ts';
import type { OrgVisit } from './access.ts';
import { decide } from '../../domain/policies.ts';
import { assembleParams } from '../../http/params.ts';
import { sendPage } from '../views/send_page.ts';
import { logoutToken } from '../logout/route.tsx';
import { sendMessagePage } from '../views/error_page.tsx';
import { formatTime } from '../profile/events.ts';
import { orgFormToken, postedForm, visit } from './access.ts';
import { RequestView, type RequestState } from './request_view.tsx';
import { FROM_APPROVAL, approvalRequestUrl } from './paths.ts';
import { scopeTexts } from '../views/scope_lines.tsx';

type RequestParams = { Params: { slug: string; clientId: string } };

export const REQUEST_ROUTE = '/orgs/:slug/third-party/:clientId/request';

function sendAppNotFound(reply: FastifyReply): FastifyReply {
  return sendMessagePage(reply, 404, 'Not found', 'There is no such service.');
}

/** Where the request stands for this person, read fresh (not from the API's cache). */
async function stateOf(deps: Deps, { signedIn, membership }: OrgVisit, app: App): Promise<{ state: RequestState; requestedAt?: string }> {
  const policy = await deps.stores.organizations.policyOf(membership.org.id);
  const decision = decide(policy, app.id);
  if (decision === 'allowed') return { state: 'allowed' };
  if (decision === 'blocked') return { state: policy.apps.get(app.id) === 'blocked' ? 'cut_off' : 'denied_all' };
  const pending = await deps.stores.approvalRequests.findPending(membership.org.id, app.id, signedIn.user.id);
  return pending ? { state: 'pending', requestedAt: formatTime(pending.createdAt) } : { state: 'can_request' };
}

async function sendRequestPage(deps: Deps, reply: FastifyReply, visited: OrgVisit, app: App, notice?: string, status = 200, fromApproval = false) {
  const { org, role } = visited.membership;
  const standing = await stateOf(deps, visited, app);
  const page = (
    <RequestView
      org={{ slug: org.slug, name: org.name }}
      app={{ name: app.name, publisher: app.publisher, verified: app.verified, description: app.description }}
      scopes={scopeTexts(app.scopes)}
      {...standing}
      isOwner={role === 'owner'}
      action={`${approvalRequestUrl(org.slug, app.id)}${fromApproval ? `?${FROM_APPROVAL}` : ''}`}
      fromApproval={fromApproval}
      token={orgFormToken(deps, visited.signedIn.session.id, org.slug, app.id)}
      logoutToken={logoutToken(deps, visited.signedIn.session.id)}
      {...(notice === undefined ? {} : { notice })}
    />
  );
  return sendPage(reply, page, { status });
}

export default async function requestRoutes(app: FastifyInstance, { deps }: AppOptions): Promise<void> {
  app.get<RequestParams>(REQUEST_ROUTE, async (request, reply) => {
    const visited = await visit(deps, request, reply, request.params.slug);
    if (!visited) return reply;
    const service = await deps.stores.apps.find(request.params.clientId);
    if (!service) return sendAppNotFound(reply);
    const { done, from } = assembleParams(['done', 'from'], request.query as RawParams);
    return sendRequestPage(deps, reply, visited, service, done === 'requested' ? 'Your request was sent to the owners.' : undefined, 200, from === 'approval');
  });

  app.post<RequestParams>(REQUEST_ROUTE, async (request: FastifyRequest<RequestParams>, reply) => {
    const { slug, clientId } = request.params;
    const posted = await postedForm(deps, request, reply, slug, []);
    if (!posted) return reply;
    const service = await deps.stores.apps.find(clientId);
    if (!service) return sendAppNotFound(reply);
    const { state } = await stateOf(deps, posted, service);
    if (state !== 'can_request' && state !== 'pending') return sendRequestPage(deps, reply, posted, service, 'There is nothing to ask: see below.', 409);
    // Owners approve in the settings instead; the page offers them no request button.
    if (posted.membership.role === 'owner') return reply.code(303).header('location', approvalRequestUrl(slug, service.id)).send();
    if (state === 'can_request') {
      const now = deps.clock.now();
      const created = await deps.stores.approvalRequests.create(posted.membership.org.id, service.id, posted.signedIn.user.id, now);
      if (created) {
        await deps.stores.audit.record({ type: 'org_app.requested', userId: posted.signedIn.user.id, appId: service.id, ip: request.ip, detail: { via: 'web', org: slug } }, now);
      }
    }
    const back = assembleParams(['from'], request.query as RawParams).from === 'approval' ? `&${FROM_APPROVAL}` : '';
    return reply.code(303).header('location', `${approvalRequestUrl(slug, service.id)}?done=requested${back}`).send();
  });
}
