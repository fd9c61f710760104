/**
 * `request` and `request_uri` (OIDC Core §6.1, §6.2): Tessera takes no Request Objects, and says
 * so in discovery (`request_parameter_supported` and `request_uri_parameter_supported` are false).
 * Ignoring one would act on the plain parameters while the client meant those inside the object,
 * so the request is refused with the code OIDC Core §3.1.2.6 names for it, at the redirect URI.
 * @module
 */
import { RequestNotSupported, RequestUriNotSupported } from '../errors.ts';
import type { AuthorizeParams } from './params.ts';

export function checkRequestObject(params: Pick<AuthorizeParams, 'request' | 'request_uri'>): void {
  if (params.request !== undefined) throw new RequestNotSupported();
  if (params.request_uri !== undefined) throw new RequestUriNotSupported();
}
