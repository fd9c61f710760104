/**
 * Brute-force and credential-stuffing protection for sign-in (SECURITY 32; ASVS 6.3.1; OWASP
 * Authentication CS "Login Throttling"). Failures are counted per (email, address), per address,
 * and per email from everywhere; the last only slows a distributed attack and does not apply
 * from an address that signed in to that account lately, so nobody can lock a person out of the
 * place they usually sign in from. Counters are keyed by the email as typed (normalized), known
 * or not, so throttling says nothing about which accounts exist (SECURITY 33).
 *
 * Room for a failure is reserved before the password is hashed, synchronously, so a throttled
 * attempt costs no argon2 work and parallel attempts cannot all pass one check; a success gives
 * the room back and clears the (email, address) counter.
 * @module
 */
import type { Throttles } from '../../caches/throttles.ts';
import type { Throttle } from '../../caches/throttle.ts';
import type { User } from '../../domain/users.ts';
import { normalizeEmail } from '../../domain/users.ts';
import { clientNetwork } from '../../caches/throttles.ts';

export type SignInOutcome = { user: User | undefined; retryAfter?: undefined } | { user?: undefined; retryAfter: number };

export async function throttledSignIn(
  throttles: Throttles,
  email: string | undefined,
  ip: string,
  verify: () => Promise<User | undefined>,
): Promise<SignInOutcome> {
  const network = clientNetwork(ip);
  const account = normalizeEmail(email ?? '');
  const pair = `${network} ${account}`;
  const counters: [Throttle, string][] = [
    [throttles.login, pair],
    [throttles.loginPerIp, network],
  ];
  if (!throttles.knownSignIns.has(pair)) counters.push([throttles.loginPerAccount, account]);

  const taken: [Throttle, string][] = [];
  for (const [throttle, key] of counters) {
    const wait = throttle.take(key);
    if (wait > 0) {
      for (const [t, k] of taken) t.refund(k);
      return { retryAfter: wait };
    }
    taken.push([throttle, key]);
  }

  let user: User | undefined;
  try {
    user = await verify();
  } catch (err) {
    // Not a failed guess: the check itself failed (database down).
    for (const [t, k] of taken) t.refund(k);
    throw err;
  }
  if (user) {
    for (const [t, k] of taken) t.refund(k);
    throttles.login.clear(pair);
    throttles.knownSignIns.add(pair);
  }
  return { user };
}
