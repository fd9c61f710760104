/**
 * Throttling of code and refresh-token guesses (RFC 6749 §10.10; OAuth 2.1 §7.7; SECURITY 15):
 * `invalid_grant` answers are counted per client and per address; past the limit the token
 * endpoint answers 429 before looking anything up. A confidential client is keyed by its id
 * (only it can authenticate as itself); a public client by (id, address), since anyone can
 * send its id and must not be able to throttle it for everybody. Successes cost two map reads.
 * @module
 */
import type { Deps } from '../../deps.ts';
import type { App } from '../../domain/apps.ts';
import { clientNetwork } from '../../caches/throttles.ts';
import { InvalidGrant } from '../errors.ts';
import { TooManyAttempts, clientAtNetwork } from '../client_auth/throttle.ts';

export async function throttleInvalidGrant<T>(deps: Pick<Deps, 'throttles'>, ip: string, client: App, run: () => Promise<T>): Promise<T> {
  const { invalidGrant, invalidGrantPerIp } = deps.throttles;
  const network = clientNetwork(ip);
  const clientKey = client.clientType === 'public' ? clientAtNetwork(network, client.id) : client.id;
  const wait = Math.max(invalidGrant.retryAfter(clientKey), invalidGrantPerIp.retryAfter(network));
  if (wait > 0) throw new TooManyAttempts(wait, 'too many invalid_grant answers');
  try {
    return await run();
  } catch (err) {
    if (err instanceof InvalidGrant) {
      invalidGrant.hit(clientKey);
      invalidGrantPerIp.hit(network);
    }
    throw err;
  }
}
