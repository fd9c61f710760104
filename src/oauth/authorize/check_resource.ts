/** Resource indicators (RFC 8707 §2): the only protected resource is the platform API. */
import { apiAudience } from '../../services/access_tokens.ts';
import { InvalidTarget } from '../errors.ts';

export function checkResource(issuer: string, resource: string | undefined): void {
  if (resource !== undefined && resource !== apiAudience(issuer)) throw new InvalidTarget('unknown resource');
}
