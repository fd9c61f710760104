/**
 * `none` (RFC 6749 §2.1, §3.2.1; RFC 7591 §2): a public client identifies itself with `client_id`
 * alone. Only public clients may do so; a confidential client must prove its secret.
 * @module
 */
import type { PresentedClient } from './presented.ts';

export function fromClientId(params: { client_id?: string; client_secret?: string }): PresentedClient | undefined {
  if (params.client_id === undefined || params.client_secret !== undefined) return undefined;
  return { method: 'none', clientId: params.client_id };
}
