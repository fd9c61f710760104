/**
 * `nonce` (OIDC Core §3.1.2.1) is kept with the request and the code, and copied into the ID token
 * (§2). The specification sets no length; one that no client needs (a hash or a random value is a
 * few dozen characters) would only let a caller store and sign what it likes, so a longer one is
 * invalid_request, answered like any other parameter error (to the verified redirect URI at
 * /authorize, as a 400 at /par).
 */
import { InvalidRequest } from '../errors.ts';
import { MAX_NONCE_LENGTH } from '../../domain/interactions.ts';

export function checkNonce(nonce: string | undefined): string | undefined {
  if (nonce !== undefined && nonce.length > MAX_NONCE_LENGTH) throw new InvalidRequest('nonce too long');
  return nonce;
}
