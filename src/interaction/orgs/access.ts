/**
 * Who may see and change what on the organization pages. Every page needs a session; an
 * organization the person is not in answers 404 whether it exists or not (its existence is not
 * revealed, like the API's `not_found`); settings are for owners (a member gets 403). Every page
 * and form needs a session (signedInArea in ./route.ts); every form is a same-origin POST carrying
 * a token bound to the session and the organization, checked by the form guard before any handler
 * (ORG_FORM; SECURITY 28, ASVS 3.5.1): a failed check answers 403 and changes nothing.
 * @module
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../../deps.ts';
import type { SignedIn } from '../../services/accounts/sessions.ts';
import type { Membership } from '../../domain/organizations.ts';
import type { InvitingAdmin, PolicyAdmin, RequestAnswerer } from '../../services/org_admin.ts';
import { signedInOf } from '../../http/signed_in.ts';
import { isValidSlug } from '../../domain/organizations.ts';
import { asRawParams, assembleParams, type Params } from '../../http/params.ts';
import { fieldOf, formRule, formToken } from '../../http/form_guard.ts';
import { sendMessagePage } from '../views/error_page.tsx';

/** The token of a form about organization `slug` (and, for a request form, the service it names). */
export function orgFormToken(deps: Pick<Deps, 'formKey'>, sessionId: string, slug: string, clientId = ''): string {
  return formToken(deps.formKey, sessionId, 'orgs', slug, clientId);
}

/** Forms under /orgs/:slug: bound to the session, the organization and the service named, if any. */
export const ORG_FORM = formRule('orgs', (request) => {
  const params = request.params as { slug?: string; clientId?: string };
  return [params.slug, params.clientId ?? ''];
});

/** The token of an Accept / Decline form on /orgs: bound to the session and the invitation. */
export function invitationFormToken(deps: Pick<Deps, 'formKey'>, sessionId: string, invitationId: string): string {
  return formToken(deps.formKey, sessionId, 'org-invitation', invitationId);
}

export const INVITATION_FORM = formRule('org-invitation', (request) => [fieldOf(request.body, 'invitation')]);

export function sendOrgNotFound(reply: FastifyReply): FastifyReply {
  return sendMessagePage(reply, 404, 'Not found', 'There is no such organization among yours.');
}

export function sendOwnersOnly(reply: FastifyReply): FastifyReply {
  return sendMessagePage(reply, 403, 'Owners only', 'Only the owners of this organization can see and change its settings.');
}

export interface OrgVisit {
  signedIn: SignedIn;
  membership: Membership;
}

/** The signed-in person's membership of `slug` (fresh from the database), or undefined. */
export async function membershipOf(deps: Deps, signedIn: SignedIn, slug: string): Promise<Membership | undefined> {
  if (!isValidSlug(slug)) return undefined;
  return (await deps.stores.organizations.listForUser(signedIn.user.id)).find((m) => m.org.slug === slug);
}

/** For a GET: the person and their membership, or the answer already sent (sign-in, 404). */
export async function visit(deps: Deps, request: FastifyRequest, reply: FastifyReply, slug: string): Promise<OrgVisit | undefined> {
  const signedIn = await signedInOf(request);
  const membership = await membershipOf(deps, signedIn, slug);
  if (!membership) {
    sendOrgNotFound(reply);
    return undefined;
  }
  return { signedIn, membership };
}

/**
 * For a POST (its origin and token already checked by the form guard): the person, their
 * membership and the form; otherwise the 404 is already sent and nothing happens.
 */
export async function postedForm<K extends string>(
  deps: Deps,
  request: FastifyRequest,
  reply: FastifyReply,
  slug: string,
  names: readonly K[],
): Promise<(OrgVisit & { form: Params<K> }) | undefined> {
  const form = assembleParams(names, asRawParams(request.body));
  const signedIn = await signedInOf(request);
  const membership = await membershipOf(deps, signedIn, slug);
  if (!membership) {
    sendOrgNotFound(reply);
    return undefined;
  }
  return { signedIn, membership, form: form as Params<K> };
}

/** Changes go through services/org_admin.ts like the CLI's: write, audit, and every node told at once. */
export function webAdmin(deps: Deps, signedIn: SignedIn): InvitingAdmin & RequestAnswerer & PolicyAdmin {
  return { stores: deps.stores, announce: { feed: deps.feed }, now: deps.clock.now(), via: 'web', actorUserId: signedIn.user.id };
}
