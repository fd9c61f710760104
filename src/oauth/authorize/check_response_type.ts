/**
 * Only the authorization code flow (RFC 9700 §2.1.2: no implicit; SECURITY 6), answered in the
 * query (RFC 6749 §4.1.2; response_mode other than `query` is not offered).
 */
import { InvalidRequest, UnsupportedResponseType } from '../errors.ts';
import type { AuthorizeParams } from './params.ts';

export function checkResponseType(params: AuthorizeParams): void {
  if (params.response_type === undefined) throw new InvalidRequest('response_type missing');
  if (params.response_type !== 'code') throw new UnsupportedResponseType(`response_type ${params.response_type}`);
  if (params.response_mode !== undefined && params.response_mode !== 'query') {
    throw new InvalidRequest(`response_mode ${params.response_mode}`);
  }
}
