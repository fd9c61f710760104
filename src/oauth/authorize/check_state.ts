/**
 * `state` is echoed as sent (RFC 6749 §4.1.2). One too long to fit in a redirect a browser or
 * proxy will follow cannot be echoed, and answering without it would fail the client's CSRF
 * check anyway, so such a request is refused with a page (SECURITY 29: 400, never 500).
 */
import { InvalidRequest } from '../errors.ts';
import { MAX_STATE_LENGTH } from '../../domain/interactions.ts';

export function checkStateLength(state: string | string[] | undefined): void {
  const values = state === undefined ? [] : Array.isArray(state) ? state : [state];
  if (values.some((v) => v.length > MAX_STATE_LENGTH)) throw new InvalidRequest('state too long');
}
