/** RFC 6750 §3.1: a request with no token gets the bare challenge, with no error code in it. */
import { OAuthError } from '../errors.ts';

export class MissingBearerToken extends OAuthError {
  readonly error = 'invalid_token';
  readonly statusCode = 401;
  readonly description = 'An access token is required.';
  constructor(detail?: string) {
    super(detail);
    this.headers['www-authenticate'] = 'Bearer realm="tessera"';
  }
}
