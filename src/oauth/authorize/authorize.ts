/**
 * GET/POST /authorize as named steps (RFC 6749 §4.1.1, §4.1.2.1; OIDC Core §3.1.2):
 *   0. loadPushed                       — a request_uri from /par stands for the request (RFC 9126 §4)
 *   1. checkClient → checkTarget        — until both pass, every error is a page (never a redirect)
 *   2. validateRequest                  — response_type, scope, PKCE, resource, prompt, max_age;
 *                                         pushed when it must be (RFC 9126 §5, §6)
 *   3. sign-in: none or stale → sign-in page (prompt=none: login_required)
 *   4. proceed                          — refused → error redirect; grant covers → code; else approval
 * @module
 */
import type { FastifyRequest } from 'fastify';
import type { Deps } from '../../deps.ts';
import type { App } from '../../domain/apps.ts';
import type { AuthorizationRequest } from '../../domain/interactions.ts';
import type { RawParams } from '../../http/urlencoded.ts';
import { isDatabaseUnavailable } from '../../persistence/unavailable.ts';
import { LoginRequired, OAuthError, TemporarilyUnavailable } from '../errors.ts';
import { asRawParams } from '../../http/params.ts';
import { checkClient } from './check_client.ts';
import { checkTarget, targetParams } from './check_target.ts';
import type { RedirectTarget } from './check_redirect_uri.ts';
import { loadPushed } from './load_pushed.ts';
import { validateRequest } from './validate.ts';
import { needsSignIn } from './check_prompt.ts';
import { checkIdTokenHint } from './check_id_token_hint.ts';
import { createInteraction } from '../../services/interactions.ts';
import { codeFromLiveGrant, proceed } from './proceed.ts';
import { errorRedirect, type Outcome } from './respond.ts';

type AuthorizeDeps = Pick<Deps, 'config' | 'clock' | 'stores' | 'clients' | 'keys' | 'suspensions' | 'formKey'>;

export async function authorize(deps: AuthorizeDeps, httpRequest: FastifyRequest): Promise<Outcome> {
  // SECURITY 7: a form POST is the same request as a GET; both places are read, and a
  // parameter sent in both counts as repeated (SECURITY 40).
  const front = [httpRequest.query as RawParams, asRawParams(httpRequest.body)];
  let sources: (RawParams | undefined)[];
  let pushedBy: App | undefined;
  let app: App;
  let target: RedirectTarget;
  // The registered client, once step 1 knows it: a refused redirect URI names it on the page (issue 20).
  let known: App | undefined;
  try {
    ({ sources, pushedBy } = await loadPushed(deps, front));
    // Step 1 (check_target.ts); a pushed request's client was checked by step 0 when it took the request.
    app = known = pushedBy ?? (await checkClient(deps, targetParams(sources).client_id));
    target = checkTarget(app, sources);
  } catch (err) {
    return { type: 'error_page', error: asPageError(err), ...(known === undefined ? {} : { app: known }) };
  }
  const mustPush = pushedBy === undefined && (deps.config.requirePar || app.requirePar === true);
  const request = await checkIdTokenHint(deps, validateRequest(deps.config.issuer, app, target, sources, mustPush), sources);
  try {
    return await signInThenProceed(deps, httpRequest, app, request);
  } catch (err) {
    // The redirect URI is verified: an outage is reported there (RFC 6749 §4.1.2.1).
    if (isDatabaseUnavailable(err)) return errorRedirect(request, deps.config.issuer, new TemporarilyUnavailable());
    throw err;
  }
}

function asPageError(err: unknown): OAuthError {
  if (isDatabaseUnavailable(err)) return new TemporarilyUnavailable('database unavailable');
  if (err instanceof OAuthError) return err;
  throw err;
}

/** Steps 3 and 4. */
async function signInThenProceed(deps: AuthorizeDeps, httpRequest: FastifyRequest, app: App, request: AuthorizationRequest): Promise<Outcome> {
  const signedIn = await httpRequest.signedIn();
  // OIDC Core §3.1.2.1: the client expects someone else than who is signed in here.
  const otherPerson = signedIn !== undefined && request.hintSubject !== undefined && request.hintSubject !== signedIn.user.id;
  if (signedIn === undefined || otherPerson || needsSignIn(signedIn.session, request, deps.clock.now())) {
    // OIDC Core §3.1.2.6: prompt=none may not show a page.
    if (request.prompt.includes('none')) return errorRedirect(request, deps.config.issuer, new LoginRequired());
    // SECURITY 3: whatever else is wrong with the request waits until the person has signed in.
    return { type: 'sign_in', app, interaction: await createInteraction(deps, app, request, null) };
  }
  if (request.refused) return errorRedirect(request, deps.config.issuer, request.refused);
  const direct = await codeFromLiveGrant(deps, app, request, signedIn);
  if (direct) return direct;
  const interaction = await createInteraction(deps, app, request, signedIn.session.id);
  return proceed(deps, app, interaction, signedIn);
}
