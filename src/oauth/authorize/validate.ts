/**
 * Step 2: every check that comes after the redirect URI is verified, in RFC 6749 §4.1.1 order,
 * Request Objects first (OIDC Core §6: they would carry the other parameters).
 * A failure does not throw: it is kept in `refused` and answered at the redirect URI, but only
 * once the person has signed in (RFC 9700 §4.11.2, SECURITY 3).
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
import { checkResponseType } from './check_response_type.ts';
import { checkScope } from './check_scope.ts';
import { checkPkce } from './check_pkce.ts';
import { checkResource } from './check_resource.ts';
import { checkMaxAge, checkPrompt, promptValues } from './check_prompt.ts';

/** A parameter's value when it was sent exactly once and not empty; otherwise undefined. */
function single(name: AuthorizeParam, sources: (RawParams | undefined)[]): string | undefined {
  if (duplicated([name], ...sources).length > 0) return undefined;
  return assembleParams([name], ...sources)[name];
}

export function validateRequest(issuer: string, app: App, target: RedirectTarget, sources: (RawParams | undefined)[]): AuthorizationRequest {
  const base = {
    clientId: app.id,
    redirectUri: target.uri,
    redirectUriSent: target.sent,
    // SECURITY 29: echoed as sent; a repeated state is ambiguous, so none is echoed.
    state: single('state', sources),
  };
  try {
    const params = assembleParams(AUTHORIZE_PARAMS, ...sources);
    checkRequestObject(params);
    checkResponseType(params);
    const scopes = checkScope(app, params.scope);
    const codeChallenge = checkPkce(params);
    checkResource(issuer, params.resource);
    const prompt = checkPrompt(params.prompt);
    const maxAge = checkMaxAge(params.max_age);
    return {
      ...base,
      scopes,
      codeChallenge,
      prompt,
      ...(maxAge === undefined ? {} : { maxAge }),
      ...(params.nonce === undefined ? {} : { nonce: params.nonce }),
    };
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
