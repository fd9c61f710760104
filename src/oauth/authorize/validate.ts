/**
 * Step 2: every check that comes after the redirect URI is verified, in RFC 6749 §4.1.1 order,
 * Request Objects first (OIDC Core §6: they would carry the other parameters).
 * `checkParams` is the decision: it throws the first failure. /authorize answers it through
 * `validateRequest`, which keeps the failure in `refused` for the redirect URI, but only once the
 * person has signed in (RFC 9700 §4.11.2, SECURITY 3); /par answers the same decision directly
 * (RFC 9126 §2.3), so no rule exists twice.
 * @module
 */
import type { App } from '../../domain/apps.ts';
import type { AuthorizationRequest } from '../../domain/interactions.ts';
import type { RawParams } from '../../http/urlencoded.ts';
import { OAuthError } from '../errors.ts';
import { assembleParams, duplicated } from '../../http/params.ts';
import { AUTHORIZE_PARAMS, type AuthorizeParam } from './params.ts';
import type { RedirectTarget } from './check_redirect_uri.ts';
import { checkRequestObject } from './check_request_object.ts';
import { checkPushed } from './check_pushed.ts';
import { checkResponseType } from './check_response_type.ts';
import { checkScope } from './check_scope.ts';
import { checkPkce } from './check_pkce.ts';
import { checkResource } from './check_resource.ts';
import { checkMaxAge, checkPrompt, promptValues } from './check_prompt.ts';
import { checkDpopJkt } from './check_dpop_jkt.ts';
import { checkNonce } from './check_nonce.ts';

/** A parameter's value when it was sent exactly once and not empty; otherwise undefined. */
function single(name: AuthorizeParam, sources: (RawParams | undefined)[]): string | undefined {
  if (duplicated([name], ...sources).length > 0) return undefined;
  return assembleParams([name], ...sources)[name];
}

/** What the checks make of the parameters. */
export type CheckedParams = Pick<AuthorizationRequest, 'scopes' | 'codeChallenge' | 'prompt' | 'maxAge' | 'nonce' | 'dpopJkt'>;

/**
 * The decision over the parameters after the redirect URI: the checked values, or the OAuthError
 * of the first check that fails. `mustPush`: the request had to come through /par and did not
 * (RFC 9126 §6; check_pushed.ts).
 */
export function checkParams(issuer: string, app: App, sources: (RawParams | undefined)[], mustPush: boolean): CheckedParams {
  const params = assembleParams(AUTHORIZE_PARAMS, ...sources);
  checkRequestObject(params);
  checkPushed(mustPush);
  checkResponseType(params);
  const scopes = checkScope(app, params.scope);
  const codeChallenge = checkPkce(params);
  checkResource(issuer, params.resource);
  const prompt = checkPrompt(params.prompt);
  const maxAge = checkMaxAge(params.max_age);
  const nonce = checkNonce(params.nonce);
  const dpopJkt = checkDpopJkt(params);
  return {
    scopes,
    codeChallenge,
    prompt,
    ...(maxAge === undefined ? {} : { maxAge }),
    ...(nonce === undefined ? {} : { nonce }),
    ...(dpopJkt === undefined ? {} : { dpopJkt }),
  };
}

export function validateRequest(issuer: string, app: App, target: RedirectTarget, sources: (RawParams | undefined)[], mustPush = false): AuthorizationRequest {
  const base = {
    clientId: app.id,
    redirectUri: target.uri,
    redirectUriSent: target.sent,
    // SECURITY 29: echoed as sent; a repeated state is ambiguous, so none is echoed.
    state: single('state', sources),
  };
  try {
    return { ...base, ...checkParams(issuer, app, sources, mustPush) };
  } catch (err) {
    if (!(err instanceof OAuthError)) throw err;
    // Read leniently: only whether to ask for sign-in (or answer login_required) depends on them.
    const maxAge = single('max_age', sources);
    return {
      ...base,
      scopes: [],
      codeChallenge: '',
      prompt: promptValues(single('prompt', sources)),
      ...(maxAge !== undefined && /^\d{1,10}$/.test(maxAge) ? { maxAge: Number(maxAge) } : {}),
      refused: { error: err.error, description: err.description },
    };
  }
}
