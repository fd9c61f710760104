/** Who is asking, and whether a state-changing form may act (SECURITY 28, 51; ASVS 3.5.1). */
import type { FastifyRequest } from 'fastify';
import type { Deps } from '../deps.ts';
import type { SignedIn } from '../core/sessions.ts';
import { formToken, isCrossSite, tokenMatches } from '../interaction/csrf.ts';

/** The form token of a portal page: bound to the session and to the app the form acts on. */
export function portalToken(deps: Pick<Deps, 'formKey'>, signedIn: SignedIn, appId = ''): string {
  return formToken(deps.formKey, 'portal', signedIn.session.id, appId);
}

/** A posted form may act: same-site, and carrying the token of this session and app. */
export function formAllowed(deps: Pick<Deps, 'formKey' | 'config'>, request: FastifyRequest, signedIn: SignedIn, sent: unknown, appId = ''): boolean {
  if (isCrossSite(request, deps.config.issuer)) return false;
  return tokenMatches(typeof sent === 'string' ? sent : undefined, portalToken(deps, signedIn, appId));
}
