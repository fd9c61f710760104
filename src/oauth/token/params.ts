/** Parameters of the token endpoint (RFC 6749 §4.1.3, §6; RFC 7636 §4.5); anything else is ignored. */
import type { Params } from '../../http/params.ts';

export const TOKEN_PARAMS = [
  'grant_type',
  'code',
  'redirect_uri',
  'code_verifier',
  'refresh_token',
  'scope',
  'client_id',
  'client_secret',
  // RFC 8628 §3.4.
  'device_code',
] as const;

export type TokenParams = Params<(typeof TOKEN_PARAMS)[number]>;

/** Credentials that must never travel in the URL of /token (RFC 6749 §2.3.1, §3.2; SECURITY 14). */
export const CREDENTIALS_NOT_IN_QUERY = ['client_secret', 'code', 'code_verifier', 'refresh_token', 'device_code'] as const;
