/** client_secret_post (RFC 6749 §2.3.1): `client_id` and `client_secret` in the form body. */
import type { PresentedClient } from './presented.ts';

export function fromBody(params: { client_id?: string; client_secret?: string }): PresentedClient | undefined {
  if (params.client_secret === undefined || params.client_id === undefined) return undefined;
  return { method: 'client_secret_post', clientId: params.client_id, secret: params.client_secret };
}
