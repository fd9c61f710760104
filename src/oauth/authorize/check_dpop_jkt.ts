/**
 * RFC 9449 §10: `dpop_jkt`, the JWK SHA-256 thumbprint of the key the client will prove at /token;
 * the code is bound to it (check at the token endpoint: token/dpop.ts). A value that is no such
 * thumbprint is invalid_request, sent to the verified redirect URI like any other parameter error.
 */
import { JKT } from '../../crypto/dpop.ts';
import { InvalidRequest } from '../errors.ts';
import type { AuthorizeParams } from './params.ts';

export function checkDpopJkt(params: AuthorizeParams): string | undefined {
  const jkt = params.dpop_jkt;
  if (jkt === undefined) return undefined;
  if (!JKT.test(jkt)) throw new InvalidRequest('dpop_jkt is not a base64url SHA-256 JWK thumbprint');
  return jkt;
}
