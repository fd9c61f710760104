/**
 * Who may see and change what on the organization pages. Every page needs a session; an
 * organization the person is not in answers 404 whether it exists or not (its existence is not
 * revealed, like the API's `not_found`); settings are for owners (a member gets 403). Every form
 * is a same-origin POST carrying a token bound to the session and the organization (SECURITY 28,
 * ASVS 3.5.1); a failed check answers 403 and changes nothing.
 * @module
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../../deps.ts';
import type { SignedIn } from '../../core/sessions.ts';
import type { Membership } from '../../domain/organizations.ts';
import type { OrgAdmin } from '../../core/org_admin.ts';
import { readSession } from '../../core/sessions.ts';
import { isValidSlug } from '../../domain/organizations.ts';
import { asRawParams, assembleParams, type Params } from '../../oauth/params.ts';
import { formToken, isCrossSite, tokenMatches } from '../csrf.ts';
import { sendForbidden, sendMessagePage } from '../views/error_page.tsx';

/** The token of a form about organization `orgId` (and, for a request form, the service it names). */
export function orgFormToken(deps: Pick<Deps, 'formKey'>, sessionId: string, orgId: string, clientId = ''): string {
  return formToken(deps.formKey, 'orgs', sessionId, orgId, clientId);
}

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
  const signedIn = await readSession(deps, request);
  if (!signedIn) {
    void reply.code(302).header('location', '/login').send();
    return undefined;
  }
  const membership = await membershipOf(deps, signedIn, slug);
  if (!membership) {
    sendOrgNotFound(reply);
    return undefined;
  }
  return { signedIn, membership };
}

/**
 * For a POST: the person, their membership and the form once the request is same-origin and its
 * token matches; otherwise the answer (403, sign-in, 404) is already sent and nothing happens.
 */
export async function postedForm<K extends string>(
  deps: Deps,
  request: FastifyRequest,
  reply: FastifyReply,
  slug: string,
  names: readonly K[],
  clientId = '',
): Promise<(OrgVisit & { form: Params<K> }) | undefined> {
  if (isCrossSite(request, deps.config.issuer)) {
    sendForbidden(reply);
    return undefined;
  }
  const form = assembleParams(['token', ...names], asRawParams(request.body));
  const signedIn = await readSession(deps, request);
  if (!signedIn) {
    void reply.code(303).header('location', '/login').send();
    return undefined;
  }
  const membership = await membershipOf(deps, signedIn, slug);
  if (!membership) {
    sendOrgNotFound(reply);
    return undefined;
  }
  if (!tokenMatches(form.token, orgFormToken(deps, signedIn.session.id, membership.org.id, clientId))) {
    sendForbidden(reply);
    return undefined;
  }
  return { signedIn, membership, form: form as Params<K> };
}

/** Changes go through core/org_admin.ts like the CLI's: write, audit, and every node told at once. */
export function webAdmin(deps: Deps, signedIn: SignedIn): OrgAdmin {
  return { stores: deps.stores, announce: { feed: deps.feed }, now: deps.clock.now(), via: 'web', actorUserId: signedIn.user.id };
}
