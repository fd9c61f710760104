/**
 * GET /orgs (the person's organizations and the invitations of their address), POST /orgs (Accept
 * or Decline one) and GET /orgs/{slug} (an overview for members). Only a person signed in with a
 * verified address equal to an invitation's may see which organization invited them, and answer.
 * @module
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { AppOptions } from '../../deps.ts';
import type { Deps } from '../../deps.ts';
import type { RawParams } from '../../http/urlencoded.ts';
import type { SignedIn } from '../../services/accounts/sessions.ts';
import { signedInOf } from '../../http/signed_in.ts';
import { acceptInvitation, declineInvitation } from '../../services/org_admin.ts';
import { normalizeEmail } from '../../domain/users.ts';
import { asRawParams, assembleParams } from '../../http/params.ts';
import { sendPage } from '../views/send_page.ts';
import { sendMessagePage } from '../views/error_page.tsx';
import { logoutToken } from '../logout/route.tsx';
import { INVITATION_FORM, invitationFormToken, visit, webAdmin } from './access.ts';
import { OrgListView, OrgOverviewView } from './list_view.tsx';
import { ORG_PATHS } from './paths.ts';
import { SETTINGS_NOTICES } from './settings_route.tsx';
import { formatTime } from '../profile/events.ts';
import { ownEntry } from '../../domain/lookup.ts';

/** Answers to an Accept / Decline that changes nothing: status, title, text. */
const REFUSALS: Record<'unverified' | 'expired' | 'closed' | 'other_address', [number, string, string]> = {
  unverified: [403, 'Verify your email address', 'Verify your email address to accept or decline this invitation: open the link we mailed to it (your profile sends a new one). Until then it stays pending.'],
  expired: [410, 'Invitation expired', 'This invitation has expired. Ask an owner of the organization to invite you again.'],
  closed: [409, 'Invitation answered', 'This invitation was already answered or cancelled.'],
  other_address: [404, 'Not found', 'There is no such invitation for your address.'],
};

function refuse(reply: FastifyReply, why: keyof typeof REFUSALS) {
  const [status, title, text] = REFUSALS[why];
  return sendMessagePage(reply, status, title, text);
}

async function sendList(deps: Deps, reply: FastifyReply, signedIn: SignedIn, notice: string | undefined) {
  const now = deps.clock.now();
  const [memberships, invitations] = await Promise.all([
    deps.stores.organizations.listForUser(signedIn.user.id),
    deps.stores.invitations.listPendingFor(signedIn.user.email, now),
  ]);
  const orgs = memberships.map((m) => ({ slug: m.org.slug, name: m.org.name, role: m.role }));
  const verified = signedIn.user.emailVerifiedAt !== null;
  const page = (
    <OrgListView
      orgs={orgs}
      // An unverified address learns that invitations wait, never from which organization.
      invitations={
        verified
          ? invitations.map((i) => ({
              id: i.id,
              orgName: i.orgName,
              role: i.role,
              expires: formatTime(i.expiresAt),
              token: invitationFormToken(deps, signedIn.session.id, i.id),
            }))
          : []
      }
      unverifiedInvitations={verified ? 0 : invitations.length}
      email={signedIn.user.email}
      notice={notice}
      logoutToken={logoutToken(deps, signedIn.session.id)}
    />
  );
  return sendPage(reply, page);
}

function notice(query: unknown): string | undefined {
  const { done } = assembleParams(['done'], query as RawParams);
  return ownEntry(SETTINGS_NOTICES, done);
}

export default async function listRoutes(app: FastifyInstance, { deps }: AppOptions): Promise<void> {
  app.get(ORG_PATHS.list, async (request, reply) => {
    const signedIn = await signedInOf(request);
    return sendList(deps, reply, signedIn, notice(request.query));
  });

  // Accept or Decline: same-origin, a session, the invitation of this person's address, its token.
  app.post(ORG_PATHS.list, { config: { csrf: INVITATION_FORM } }, async (request, reply) => {
    const form = assembleParams(['invitation', 'decision'], asRawParams(request.body));
    const signedIn = await signedInOf(request);
    const invitation = form.invitation === undefined ? undefined : await deps.stores.invitations.find(form.invitation);
    // Another address's invitation is as unknown as one that does not exist.
    if (!invitation || invitation.email !== normalizeEmail(signedIn.user.email)) return refuse(reply, 'other_address');
    if (form.decision !== 'accept' && form.decision !== 'decline') return sendMessagePage(reply, 400, 'Choose an answer', 'Accept or decline the invitation.');
    const org = await deps.stores.organizations.findBySlug(invitation.orgSlug);
    if (!org) return refuse(reply, 'other_address');
    const admin = { ...webAdmin(deps, signedIn), stores: deps.stores };
    const outcome =
      form.decision === 'accept' ? await acceptInvitation(admin, org, invitation, signedIn.user) : await declineInvitation(admin, org, invitation, signedIn.user);
    if (outcome === 'accepted') return reply.code(303).header('location', `${ORG_PATHS.overview(org.slug)}?done=joined`).send();
    if (outcome === 'declined') return reply.code(303).header('location', `${ORG_PATHS.list}?done=declined`).send();
    return refuse(reply, outcome);
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
