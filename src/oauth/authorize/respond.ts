/**
 * Authorization responses (RFC 6749 §4.1.2, §4.1.2.1). Success and error go to the verified
 * redirect URI in the query, with `state` echoed byte-exact when it was sent (SECURITY 29) and
 * `iss` always (RFC 9207 §2, SECURITY 4). Everything else becomes a page of ours.
 * @module
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Grant } from '../../domain/grants.ts';
import type { App } from '../../domain/apps.ts';
import type { AuthorizationRequest, Interaction } from '../../domain/interactions.ts';
import type { SignedIn } from '../../services/accounts/sessions.ts';
import type { OAuthError } from '../errors.ts';
import type { AuthorizationPages } from './pages.ts';

/** What the authorization endpoint decided; route.ts turns it into a response. */
export type Outcome =
  /** To the client's verified redirect URI. */
  | { type: 'redirect'; url: string }
  /** The request cannot be answered at any redirect URI: an error page (RFC 6749 §4.1.2.1), naming `app` when it is known. */
  | { type: 'error_page'; error: OAuthError; app?: App }
  | { type: 'sign_in'; app: App; interaction: Interaction }
  /** `grant`: what the person already allowed this app, so only the new scopes are asked. */
  | { type: 'approval'; app: App; interaction: Interaction; signedIn: SignedIn; grant: Grant | undefined };

type Target = Pick<AuthorizationRequest, 'redirectUri' | 'state'>;

/** redirect_uri plus the response parameters, keeping any query the registered URI has (RFC 6749 §3.1.2). */
export function responseUrl(target: Target, issuer: string, fields: Record<string, string>): string {
  const query = new URLSearchParams(fields);
  if (target.state !== undefined) query.set('state', target.state);
  query.set('iss', issuer);
  const uri = target.redirectUri;
  const separator = !uri.includes('?') ? '?' : uri.endsWith('?') || uri.endsWith('&') ? '' : '&';
  return uri + separator + query.toString();
}

export function errorRedirect(target: Target, issuer: string, error: { error: string; description: string }): Outcome {
  return { type: 'redirect', url: responseUrl(target, issuer, { error: error.error, error_description: error.description }) };
}

/**
 * 302 after a GET; 303 after a POST, so the browser never re-posts the form to the next hop
 * (RFC 9700 §4.12, SECURITY 8).
 */
export function redirectStatus(request: FastifyRequest): 302 | 303 {
  return request.method === 'POST' ? 303 : 302;
}

export async function sendOutcome(pages: AuthorizationPages, request: FastifyRequest, reply: FastifyReply, outcome: Outcome): Promise<FastifyReply> {
  switch (outcome.type) {
    case 'redirect':
      return reply.code(redirectStatus(request)).header('location', outcome.url).header('cache-control', 'no-store').send();
    case 'error_page':
      return pages.error(reply, outcome.error, outcome.app);
    case 'sign_in':
      return pages.signIn(reply, { app: outcome.app, interaction: outcome.interaction });
    case 'approval':
      return pages.approval(reply, outcome);
  }
}
