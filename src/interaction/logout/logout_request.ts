/**
 * The parameters of an RP-initiated logout request (OpenID Connect RP-Initiated Logout 1.0 §2),
 * checked in this order:
 *
 * 1. no parameter twice (one value each, as at every endpoint here);
 * 2. `id_token_hint`, when sent, is an ID token we issued (§2: "the OP MUST validate that it was
 *    the issuer of the ID Token"); it names the client, and a `client_id` sent beside it must be
 *    that client (§2 `client_id`);
 * 3. a `post_logout_redirect_uri` comes with a valid hint: without one "the OP MUST NOT perform
 *    post-logout redirection" (§2), since anyone can send a `client_id`; the OIDF check
 *    oidcc-rp-initiated-logout-no-id-token-hint fails an OP that redirects;
 * 4. the client is known;
 * 5. `post_logout_redirect_uri` is one registered for that client, compared as a plain string
 *    (§3.1: it "MUST have been previously registered"; SECURITY 2 and 38: no open redirector).
 *
 * `logout_hint` and `ui_locales` are accepted and not used. Nothing here redirects or ends a
 * session: the result says only whether, and where, the person may be sent back.
 * @module
 */
import type { Deps } from '../../deps.ts';
import type { App } from '../../domain/apps.ts';
import type { RawParams } from '../../http/urlencoded.ts';
import { TokenRejected, readIdTokenHint } from '../../crypto/jwt.ts';
import { MAX_STATE_LENGTH } from '../../domain/interactions.ts';
import { assembleParams, duplicated } from '../../http/params.ts';

export const LOGOUT_PARAMS = ['id_token_hint', 'logout_hint', 'client_id', 'post_logout_redirect_uri', 'state', 'ui_locales'] as const;

/** Where the person goes after signing out: a registered address of this client, with the RP's `state`. */
export interface LogoutReturn {
  clientId: string;
  uri: string;
  state?: string;
}

export type LogoutProblem = 'invalid_request' | 'invalid_hint' | 'client_mismatch' | 'hint_required' | 'unknown_client' | 'unregistered_uri';

export type CheckedLogout = { ok: true; app?: App; back?: LogoutReturn } | { ok: false; problem: LogoutProblem; app?: App };

type LogoutDeps = Pick<Deps, 'keys' | 'config' | 'clients'>;

export async function checkLogoutRequest(deps: LogoutDeps, sources: (RawParams | undefined)[]): Promise<CheckedLogout> {
  if (duplicated(LOGOUT_PARAMS, ...sources).length > 0) return { ok: false, problem: 'invalid_request' };
  const params = assembleParams(LOGOUT_PARAMS, ...sources);
  let clientId = params.client_id;
  if (params.id_token_hint !== undefined) {
    const hinted = await hintedClient(deps, params.id_token_hint);
    if (hinted === undefined) return { ok: false, problem: 'invalid_hint' };
    if (clientId !== undefined && clientId !== hinted) return { ok: false, problem: 'client_mismatch' };
    clientId = hinted;
  } else if (params.post_logout_redirect_uri !== undefined) {
    return { ok: false, problem: 'hint_required' };
  }
  return checkLogoutReturn(deps, clientId, params.post_logout_redirect_uri, params.state);
}

/** Steps 4 and 5; the confirmation form's POST runs them again on the values it carries (its token vouches for step 3). */
export async function checkLogoutReturn(deps: Pick<Deps, 'clients'>, clientId: string | undefined, uri: string | undefined, state: string | undefined): Promise<CheckedLogout> {
  if (state !== undefined && state.length > MAX_STATE_LENGTH) return { ok: false, problem: 'invalid_request' };
  // Bounded before the lookup, like the authorization endpoint's client_id (check_client.ts).
  const app = clientId === undefined || clientId.length > 200 ? undefined : (await deps.clients.get(clientId))?.app;
  if (clientId !== undefined && !app) return { ok: false, problem: 'unknown_client' };
  if (uri === undefined) return { ok: true, ...(app ? { app } : {}) };
  // Without a client there is nothing the address could have been registered for (§3.1).
  if (!app || !(app.postLogoutRedirectUris ?? []).includes(uri)) return { ok: false, problem: 'unregistered_uri', ...(app ? { app } : {}) };
  return { ok: true, app, back: { clientId: app.id, uri, ...(state === undefined ? {} : { state }) } };
}

/** The client an ID token we issued was issued to, or undefined when the token is not one of ours. */
async function hintedClient(deps: Pick<Deps, 'keys' | 'config'>, token: string): Promise<string | undefined> {
  try {
    return (await readIdTokenHint(deps.keys.keys, token, { issuer: deps.config.issuer })).clientId;
  } catch (err) {
    if (err instanceof TokenRejected) return undefined;
    throw err;
  }
}

/**
 * §3: the registered address with `state` added to its query. Appended as text, so the registered
 * query stays byte for byte as registered (URLSearchParams would re-encode it); no fragment can
 * follow, registration refuses one.
 */
export function returnUrl(back: LogoutReturn): string {
  if (back.state === undefined) return back.uri;
  const separator = !back.uri.includes('?') ? '?' : back.uri.endsWith('?') || back.uri.endsWith('&') ? '' : '&';
  return `${back.uri}${separator}state=${encodeURIComponent(back.state)}`;
}
