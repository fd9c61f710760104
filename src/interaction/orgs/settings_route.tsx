/**
 * GET /orgs/{slug}/settings and its forms (owners only). A form answers 303 back to the page with
 * a notice, or the page again with the problem and a 4xx; a refused form changes nothing.
 * @module
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { AppOptions } from '../../deps.ts';
import type { Deps } from '../../deps.ts';
import type { OrgVisit } from './access.ts';
import type { RawParams } from '../../http/urlencoded.ts';
import { assembleParams } from '../../http/params.ts';
import { sendPage } from '../views/send_page.ts';
import { logoutToken } from '../logout/route.tsx';
import { orgFormToken, postedForm, sendOwnersOnly, visit, webAdmin } from './access.ts';
import { addMember, cancelInvitation, changeRole, removeMember, type Outcome } from './members.ts';
import { answerRequests, changeApp, changePolicy } from './third_party.ts';
import { changeSecondFactorRequirement } from './second_factor.ts';
import { changeDeviceFlow } from './device_flow.ts';
import { loadSettings } from './settings_model.ts';
import { SettingsView } from './settings_view.tsx';
import { PolicyConfirmView } from './policy_confirm_view.tsx';
import { ORG_PATHS, type SettingsForm } from './paths.ts';
import { ownEntry } from '../../domain/lookup.ts';

export const SETTINGS_NOTICES: Record<string, string> = {
  added: 'The member was added.',
  invited:
    'Nobody has proven to own that address yet, so it was invited instead: the invitation waits under "Pending invitations" until the person accepts it, signed in with that verified address.',
  cancelled: 'The invitation was cancelled.',
  joined: 'You accepted the invitation and are now a member.',
  declined: 'You declined the invitation.',
  role: 'The role was changed.',
  removed: 'The member was removed. Services acting for them lost this organization at once.',
  policy: 'The policy was saved. It applies to the next call of every service.',
  second_factor_on: 'Services now act only for members who have a second factor, from their next call.',
  second_factor_off: 'Services act again for members without a second factor, from their next call.',
  device_flow_off: 'Sign-ins on a device now leave this organization out.',
  device_flow_on: 'Sign-ins on a device may cover this organization again.',
  approved: 'The service is approved.',
  withdrawn: 'The approval was withdrawn.',
  blocked: 'The service is cut off from this organization.',
  restored: 'The service is no longer cut off.',
  denied: 'The request was denied.',
};

type SlugParams = { Params: { slug: string } };

async function sendSettings(deps: Deps, reply: FastifyReply, { signedIn, membership }: OrgVisit, message: { notice?: string; problem?: string; status?: number } = {}) {
  const model = await loadSettings(deps, membership.org, signedIn.user.id);
  const page = (
    <SettingsView
      {...model}
      org={{ slug: membership.org.slug, name: membership.org.name }}
      token={orgFormToken(deps, signedIn.session.id, membership.org.slug)}
      logoutToken={logoutToken(deps, signedIn.session.id)}
      notice={message.notice}
      problem={message.problem}
    />
  );
  return sendPage(reply, page, { status: message.status ?? 200 });
}

/** The forms on the page: the fields each reads and what it does. */
const FORMS: Record<SettingsForm, { fields: readonly string[]; act(deps: Deps, posted: OrgVisit, form: Record<string, string | undefined>): Promise<Outcome> }> = {
  'members/add': { fields: ['email', 'role'], act: (deps, p, f) => addMember(deps, webAdmin(deps, p.signedIn), p.membership.org, f.email, f.role) },
  'members/role': { fields: ['user', 'role'], act: (deps, p, f) => changeRole(deps, webAdmin(deps, p.signedIn), p.membership.org, f.user, f.role) },
  'members/remove': { fields: ['user'], act: (deps, p, f) => removeMember(deps, webAdmin(deps, p.signedIn), p.membership.org, f.user) },
  'invitations/cancel': { fields: ['invitation'], act: (deps, p, f) => cancelInvitation(deps, webAdmin(deps, p.signedIn), p.membership.org, f.invitation) },
  policy: { fields: ['third_party', 'confirm'], act: (deps, p, f) => changePolicy(webAdmin(deps, p.signedIn), p.membership.org, f.third_party, f.confirm) },
  'second-factor': { fields: ['require'], act: (deps, p, f) => changeSecondFactorRequirement(webAdmin(deps, p.signedIn), p.membership.org, f.require) },
  'device-flow': { fields: ['device_flow'], act: (deps, p, f) => changeDeviceFlow(webAdmin(deps, p.signedIn), p.membership.org, f.device_flow) },
  apps: { fields: ['client_id', 'action'], act: (deps, p, f) => changeApp(deps, webAdmin(deps, p.signedIn), p.membership.org, f.client_id, f.action) },
  requests: { fields: ['client_id', 'decision'], act: (deps, p, f) => answerRequests(deps, webAdmin(deps, p.signedIn), p.membership.org, f.client_id, f.decision) },
};

export default async function settingsRoutes(app: FastifyInstance, { deps }: AppOptions): Promise<void> {
  app.get<SlugParams>(`${ORG_PATHS.list}/:slug/settings`, async (request, reply) => {
    const visited = await visit(deps, request, reply, request.params.slug);
    if (!visited) return reply;
    if (visited.membership.role !== 'owner') return sendOwnersOnly(reply);
    const { done } = assembleParams(['done'], request.query as RawParams);
    return sendSettings(deps, reply, visited, { notice: ownEntry(SETTINGS_NOTICES, done) });
  });

  for (const [name, form] of Object.entries(FORMS) as [SettingsForm, (typeof FORMS)[SettingsForm]][]) {
    app.post<SlugParams>(`${ORG_PATHS.list}/:slug/settings/${name}`, async (request, reply) => {
      const posted = await postedForm(deps, request, reply, request.params.slug, form.fields);
      if (!posted) return reply;
      if (posted.membership.role !== 'owner') return sendOwnersOnly(reply);
      const outcome = await form.act(deps, posted, posted.form);
      if ('problem' in outcome) return sendSettings(deps, reply, posted, outcome);
      if ('confirm' in outcome) {
        const { org } = posted.membership;
        const page = (
          <PolicyConfirmView
            org={{ slug: org.slug, name: org.name }}
            confirmation={outcome.confirm}
            token={orgFormToken(deps, posted.signedIn.session.id, org.slug)}
            logoutToken={logoutToken(deps, posted.signedIn.session.id)}
          />
        );
        return sendPage(reply, page);
      }
      // A person who is no longer an owner (they made themselves a member, or left) goes to the overview or the list.
      const still = (await deps.stores.organizations.listForUser(posted.signedIn.user.id)).find((m) => m.org.id === posted.membership.org.id);
      const next = still?.role === 'owner' ? ORG_PATHS.settings(posted.membership.org.slug) : still ? ORG_PATHS.overview(posted.membership.org.slug) : ORG_PATHS.list;
      return reply.code(303).header('location', `${next}?done=${outcome.done}`).send();
    });
  }
}
