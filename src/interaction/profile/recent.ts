/**
 * The profile's sensitive changes — the password, the address, turning two-step verification off —
 * need a recent sign-in (SECURITY 51, issue 16), the same window as every other such change
 * (`STEP_UP_MAX_AGE`, http/signed_in.ts `requireRecentSignIn`): a stolen session alone must not
 * take the account over. A stale one signs in again and comes back to the profile, where the
 * person submits the change again.
 * @module
 */
import type { Deps } from '../../deps.ts';
import { requireRecentSignIn } from '../../http/signed_in.ts';
import { PROFILE_PATH } from './shared.tsx';

/** Sign in again (the sign-in page says why), then back to the profile. */
export const PROFILE_REAUTH = `/login?${new URLSearchParams({ return_to: PROFILE_PATH, reauth: '1' })}`;

/** The `onRequest` guard of a sensitive profile form (a 303 either way, SECURITY 8). */
export function recentProfileSignIn(deps: Pick<Deps, 'config' | 'clock'>) {
  return requireRecentSignIn(
    deps,
    (_request, reply) => reply.code(303).header('location', '/login').send(),
    (_request, reply) => reply.code(303).header('location', PROFILE_REAUTH).send(),
  );
}
