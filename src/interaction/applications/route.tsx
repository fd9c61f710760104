/**
 * "Manage applications" under /profile/applications (SECURITY 52): the list, one grant's page
 * with its activity and the form that takes scopes or organizations away, and revoke (one, or
 * all) behind a confirmation page. Every change is a same-origin POST with the profile's form
 * token (checked by the form guard; the profile's routes need a session); a grant that is not the signed-in person's is a 404, whoever asks.
 * Revoking goes through the Revoker, so the service's refresh tokens die in the same transaction
 * and its access tokens are refused on every node at once.
 * @module
 */
import { CAUSES } from '../../domain/security_events.ts';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { AppOptions } from '../../deps.ts';
import type { Deps } from '../../deps.ts';
import type { Grant } from '../../domain/grants.ts';
import type { SignedIn } from '../../services/accounts/sessions.ts';
import type { RawParams } from '../../http/urlencoded.ts';
import { signedInOf } from '../../http/signed_in.ts';
import { rejectOtherMethods } from '../../http/methods.ts';
import { assembleParams } from '../../http/params.ts';
import { sendMessagePage } from '../views/error_page.tsx';
import { sendPage } from '../views/send_page.ts';
import { logoutToken } from '../logout/route.tsx';
import { profileToken } from '../profile/shared.tsx';
import { isOptional, orgField, scopeField } from '../consent/choices.ts';
import { keptScopes, spelledOut } from '../../domain/scopes.ts';
import { grantAfter } from '../../domain/approval.ts';
import { activity, orgNames, summarize } from './model.ts';
import { grantLifetime, scopeTexts } from '../views/scope_lines.tsx';
import { ApplicationsView, ConfirmView, GrantDetailView, type AddableOrg } from './view.tsx';
import { ownEntry } from '../../domain/lookup.ts';
import { requirementNotice } from '../orgs/requirement_notice.ts';
import { organizationLines } from '../consent/page.tsx';
import { approvalStepUp } from '../../services/interactions.ts';

export const APPLICATIONS_PATH = '/profile/applications';

const NOTICES: Record<string, string> = {
  revoked: 'The application was revoked. It can no longer act for you.',
  revoked_all: 'Every application was revoked.',
  changed: 'Your changes were saved. The application lost that access at once.',
  added: 'The organization was added. The application may act there from its next token.',
  unchanged: 'Nothing was changed.',
};

type Params = { Params: { grant: string } };

export default async function applicationsRoutes(app: FastifyInstance, { deps }: AppOptions): Promise<void> {
  app.get(APPLICATIONS_PATH, async (request, reply) => {
    const signedIn = await signedInOf(request);
    const { done } = assembleParams(['done'], request.query as RawParams);
    const grants = await deps.stores.grants.listLive(signedIn.user.id, deps.clock.now());
    const reach = await deps.access.reachOf(signedIn.user.id);
    const revokedName = done === 'revoked' ? await justRevoked(deps, signedIn) : undefined;
    return sendPage(
      reply,
      <ApplicationsView
        grants={await summarize(deps, reach, grants)}
        secondFactorNotice={grants.length === 0 ? undefined : await requirementNotice(deps, signedIn.user, reach.current)}
        logoutToken={logoutToken(deps, signedIn.session.id)}
        notice={revokedName === undefined ? ownEntry(NOTICES, done) : `${revokedName} was revoked. It can no longer act for you.`}
      />,
    );
  });

  app.get(`${APPLICATIONS_PATH}/revoke-all`, async (request, reply) => {
    const signedIn = await signedInOf(request);
    const count = (await deps.stores.grants.listLive(signedIn.user.id, deps.clock.now())).length;
    return sendPage(
      reply,
      <ConfirmView
        title="Revoke every application?"
        message={`All ${count} applications you authorized lose access at once. Each will have to ask you again.`}
        action={`${APPLICATIONS_PATH}/revoke-all`}
        button="Revoke all"
        cancel={APPLICATIONS_PATH}
        token={profileToken(deps, signedIn.session.id)}
        logoutToken={logoutToken(deps, signedIn.session.id)}
      />,
    );
  });

  app.post(`${APPLICATIONS_PATH}/revoke-all`, async (request, reply) => {
    const signedIn = await signedInOf(request);
    const grants = await deps.stores.grants.listLive(signedIn.user.id, deps.clock.now());
    for (const grant of grants) await revoke(deps, signedIn, grant, request.ip);
    return reply.code(303).header('location', `${APPLICATIONS_PATH}?done=revoked_all`).send();
  });

  app.get<Params>(`${APPLICATIONS_PATH}/:grant`, async (request, reply) => {
    const signedIn = await signedInOf(request);
    const grant = await ownGrant(deps, signedIn, request.params.grant);
    if (!grant) return notFound(reply);
    const { done } = assembleParams(['done'], request.query as RawParams);
    return sendDetail(deps, reply, signedIn, grant, { notice: ownEntry(NOTICES, done) });
  });

  app.post<Params>(`${APPLICATIONS_PATH}/:grant/edit`, async (request, reply) => {
    const signedIn = await signedInOf(request);
    const grant = await ownGrant(deps, signedIn, request.params.grant);
    if (!grant) return notFound(reply);
    const memberships = (await deps.access.reachOf(signedIn.user.id)).current.map((m) => m.org.id);
    const offered = editableOrgIds(grant, memberships);
    const shown = spelledOut(grant.scopes);
    const form = assembleParams(['orgs', ...shown.map(scopeField), ...offered.map(orgField)], request.body as RawParams);
    const scopes = keptScopes(shown.filter((s) => !isOptional(s) || form[scopeField(s)] !== undefined));
    if (!scopes.some(isOptional) && grant.scopes.some(isOptional)) {
      return sendDetail(deps, reply, signedIn, grant, { problem: 'Keep at least one permission, or revoke the application instead.', status: 400 });
    }
    const orgIds = grant.orgIds === null && form.orgs !== 'some' ? null : offered.filter((id) => form[orgField(id)] !== undefined);
    // The grant keeps only what lies within the ticked scopes and organizations (the store applies the
    // same rule to the row as it is when written); nothing taken away means nothing to save.
    const unchanged = !grantAfter(grant, { kind: 'narrowing', scopes, orgIds }).narrowed;
    if (unchanged) return reply.code(303).header('location', `${APPLICATIONS_PATH}/${grant.id}?done=unchanged`).send();
    if (!(await deps.revoker.narrowGrant(grant.id, signedIn.user.id, scopes, orgIds))) return notFound(reply);
    const appName = (await deps.stores.apps.find(grant.appId))?.name ?? grant.appId;
    await deps.stores.audit.record({ type: 'grant.narrowed', userId: signedIn.user.id, appId: grant.appId, ip: request.ip, detail: { app: appName } }, deps.clock.now());
    return reply.code(303).header('location', `${APPLICATIONS_PATH}/${grant.id}?done=changed`).send();
  });

  app.post<Params>(`${APPLICATIONS_PATH}/:grant/add-org`, async (request, reply) => {
    const signedIn = await signedInOf(request);
    const grant = await ownGrant(deps, signedIn, request.params.grant);
    if (!grant) return notFound(reply);
    const { org } = assembleParams(['org'], request.body as RawParams);
    const line = (await addableOrgs(deps, signedIn, grant)).find((o) => o.id === org);
    if (!line) return sendDetail(deps, reply, signedIn, grant, { problem: 'That organization cannot be added: it is covered already, or you are not a member.', status: 400 });
    if (line.excluded !== undefined) return sendDetail(deps, reply, signedIn, grant, { problem: `${line.name}: ${line.excluded}`, status: 409 });
    if (deps.suspensions.isSuspended(grant.appId)) {
      return sendDetail(deps, reply, signedIn, grant, { problem: 'The platform has suspended this service: it cannot be given more now.', status: 409 });
    }
    // Issue 16's step-up, as the approval page applies it: reaching further with high-privilege scopes
    // needs a recent sign-in (and the second factor the account has). Sign in again, back to this page.
    if (await approvalStepUp(deps, signedIn, grant.scopes)) {
      const back = `/login?${new URLSearchParams({ return_to: `${APPLICATIONS_PATH}/${grant.id}`, reauth: '1' })}`;
      return reply.code(303).header('location', back).send();
    }
    // The rule is domain/approval.ts's `adding_organizations`: the organizations widen, scopes and end are kept;
    // recorded as an approval, so the person is told as for any widening (issue 15).
    const appName = (await deps.stores.apps.find(grant.appId))?.name ?? grant.appId;
    const event = { type: 'grant.approved', userId: signedIn.user.id, appId: grant.appId, ip: request.ip, userAgent: request.headers['user-agent'] ?? null, detail: { app: appName } };
    const added = await deps.stores.grants.addOrganizations(grant.id, signedIn.user.id, [line.id], deps.clock.now(), event);
    if (!added) return notFound(reply);
    // A narrowing still in force now says what the grant allows with the organization: every node learns it now.
    if (added.narrowing) await deps.revoker.announceNarrowing(added.narrowing);
    return reply.code(303).header('location', `${APPLICATIONS_PATH}/${grant.id}?done=added`).send();
  });

  app.get<Params>(`${APPLICATIONS_PATH}/:grant/revoke`, async (request, reply) => {
    const signedIn = await signedInOf(request);
    const grant = await ownGrant(deps, signedIn, request.params.grant);
    if (!grant) return notFound(reply);
    const name = (await deps.stores.apps.find(grant.appId))?.name ?? 'this application';
    return sendPage(
      reply,
      <ConfirmView
        title={`Revoke ${name}?`}
        message={`${name} loses access at once: its tokens stop working everywhere, and it must ask you again before it can act for you.`}
        action={`${APPLICATIONS_PATH}/${grant.id}/revoke`}
        button={`Revoke ${name}`}
        cancel={`${APPLICATIONS_PATH}/${grant.id}`}
        token={profileToken(deps, signedIn.session.id)}
        logoutToken={logoutToken(deps, signedIn.session.id)}
      />,
    );
  });

  app.post<Params>(`${APPLICATIONS_PATH}/:grant/revoke`, async (request, reply) => {
    const signedIn = await signedInOf(request);
    const grant = await ownGrant(deps, signedIn, request.params.grant);
    if (!grant) return notFound(reply);
    await revoke(deps, signedIn, grant, request.ip);
    return reply.code(303).header('location', `${APPLICATIONS_PATH}?done=revoked`).send();
  });

  rejectOtherMethods(app, APPLICATIONS_PATH, ['GET']);
  rejectOtherMethods(app, `${APPLICATIONS_PATH}/revoke-all`, ['GET', 'POST']);
  rejectOtherMethods(app, `${APPLICATIONS_PATH}/:grant`, ['GET']);
  rejectOtherMethods(app, `${APPLICATIONS_PATH}/:grant/edit`, ['POST']);
  rejectOtherMethods(app, `${APPLICATIONS_PATH}/:grant/revoke`, ['GET', 'POST']);
  rejectOtherMethods(app, `${APPLICATIONS_PATH}/:grant/add-org`, ['POST']);
}

function notFound(reply: FastifyReply): FastifyReply {
  return sendMessagePage(reply, 404, 'Not found', 'There is no such application among the ones you authorized.');
}

/** The person's own live grant; someone else's is indistinguishable from none (SECURITY 52). */
async function ownGrant(deps: Deps, signedIn: SignedIn, id: string): Promise<Grant | undefined> {
  const grant = await deps.stores.grants.findById(id);
  if (!grant || grant.userId !== signedIn.user.id) return undefined;
  if (grant.expiresAt !== null && grant.expiresAt <= deps.clock.now()) return undefined;
  return grant;
}

/** How recent a revocation the confirmation names: the redirect after the POST comes at once. */
const JUST_NOW_SECONDS = 300;

/**
 * The service the person has just revoked, for the confirmation ("Sprint Planner was revoked"): the
 * name their own newest `grant.revoked` event recorded. Read from their log, not from the address,
 * so a link cannot make the page announce a name of its choosing.
 */
async function justRevoked(deps: Deps, signedIn: SignedIn): Promise<string | undefined> {
  const [last] = await deps.stores.audit.listForUser(signedIn.user.id, ['grant.revoked'], 1);
  if (!last || last.at < deps.clock.now() - JUST_NOW_SECONDS) return undefined;
  return typeof last.detail.app === 'string' ? last.detail.app : undefined;
}

/**
 * The person's organizations the grant does not cover, as the approval page judges them (each
 * organization's policy; a device's sign-in also its device-flow switch): none when it covers all.
 */
async function addableOrgs(deps: Deps, signedIn: SignedIn, grant: Grant): Promise<AddableOrg[]> {
  if (grant.orgIds === null) return [];
  const covered = new Set(grant.orgIds);
  const device = (await deps.stores.deviceAuthorizations.devicesOfGrants([grant.id])).has(grant.id);
  const lines = await organizationLines(deps, signedIn.user.id, grant.appId, grant, { deviceFlow: device });
  return lines.filter((o) => !covered.has(o.id)).map(({ id, name, excluded, requestUrl }) => ({ id, name, ...(excluded === undefined ? {} : { excluded }), ...(requestUrl === undefined ? {} : { requestUrl }) }));
}

/** The organizations the edit form offers: those the grant covers now (all current ones when it covers all). */
function editableOrgIds(grant: Grant, memberships: string[]): string[] {
  return grant.orgIds === null ? memberships : grant.orgIds;
}

async function revoke(deps: Deps, signedIn: SignedIn, grant: Grant, ip: string): Promise<void> {
  if (!(await deps.revoker.revokeGrant(grant.id, 'user_revoked', CAUSES.userRevoked))) return;
  const appName = (await deps.stores.apps.find(grant.appId))?.name ?? grant.appId;
  await deps.stores.audit.record({ type: 'grant.revoked', userId: signedIn.user.id, appId: grant.appId, ip, detail: { app: appName } }, deps.clock.now());
}

async function sendDetail(
  deps: Deps,
  reply: FastifyReply,
  signedIn: SignedIn,
  grant: Grant,
  message: { notice?: string; problem?: string; status?: number },
): Promise<FastifyReply> {
  // One read of the person's organizations, so the summary and the edit form name the same ones.
  const reach = await deps.access.reachOf(signedIn.user.id);
  const [summary] = await summarize(deps, reach, [grant]);
  if (!summary) return notFound(reply);
  const memberships = reach.current.map((m) => m.org.id);
  const names = orgNames(reach);
  const texts = scopeTexts(spelledOut(grant.scopes), grantLifetime(grant));
  return sendPage(
    reply,
    <GrantDetailView
      grant={summary}
      token={profileToken(deps, signedIn.session.id)}
      logoutToken={logoutToken(deps, signedIn.session.id)}
      scopes={texts.map((t) => ({ ...t, removable: isOptional(t.scope) }))}
      orgChoice={{
        all: grant.orgIds === null,
        orgs: editableOrgIds(grant, memberships).map((id) => ({ id, name: names.get(id) ?? 'An organization you left', kept: true })),
      }}
      addable={await addableOrgs(deps, signedIn, grant)}
      {...(await activity(deps, reach, grant.id))}
      notice={message.notice}
      problem={message.problem}
    />,
    { status: message.status ?? 200 },
  );
}
