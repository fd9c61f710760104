/**
 * The parameters the authorization endpoint understands (RFC 6749 §4.1.1, RFC 7636 §4.3,
 * OIDC Core §3.1.2.1 and §6, RFC 8707 §2). Anything else is ignored (SECURITY 7, 41); `request`
 * and `request_uri` are read only to be refused (check_request_object.ts).
 * @module
 */
import type { Params } from '../../http/params.ts';

export const AUTHORIZE_PARAMS = [
  'client_id',
  'redirect_uri',
  'response_type',
  'response_mode',
  'scope',
  'state',
  'nonce',
  'code_challenge',
  'code_challenge_method',
  'prompt',
  'max_age',
  'id_token_hint',
  'resource',
  'request',
  'request_uri',
  // RFC 9449 §10.
  'dpop_jkt',
] as const;

export type AuthorizeParam = (typeof AUTHORIZE_PARAMS)[number];
export type AuthorizeParams = Params<AuthorizeParam>;

/** The two parameters that decide where errors may be sent: ambiguous ones are never redirected. */
export const TARGET_PARAMS = ['client_id', 'redirect_uri'] as const;
