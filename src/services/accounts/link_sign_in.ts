/**
 * "After sign-up, the person is signed in" (issue 20): the verification link mailed at sign-up,
 * used in the browser that signed up, opens a session for the new account. Called through
 * `Accounts.verifyEmail`, which opens it through its one session-opening path.
 *
 * The link alone never opens a session: a mailbox is not a credential of ours, and a link can be
 * forwarded, previewed or read over a shoulder. It takes both the link and the cookie the sign-up
 * set in the browser that typed the password (crypto/account_links.ts), within
 * SIGN_UP_BROWSER_SECONDS of the sign-up. The session then says what happened there: `amr`
 * ["pwd"] (RFC 8176 §2: the person gave the password, at sign-up) and `auth_time` the sign-up's
 * time (OIDC Core §2), not the link's; so a client's `max_age`, step-up and every "recent sign-in"
 * rule count from when the password was typed.
 *
 * It opens nothing when anything stood up since the sign-up that a sign-in would have to pass:
 * the password changed (or the account has none: a passkey sign-up, whose way in is its passkey),
 * or a second factor was turned on (a new account has none; one added since must be asked for,
 * SECURITY 51), or the account was disabled. The link then only proves the address, as anywhere.
 * @module
 */
import type { Clock } from '../../clock.ts';
import type { Stores } from '../../domain/stores.ts';
import type { AccountLink } from '../../domain/account_links.ts';
import type { User } from '../../domain/users.ts';
import { SIGN_UP_BROWSER_SECONDS } from '../../domain/account_links.ts';
import { browserBindingMatches } from '../../crypto/account_links.ts';
import { hasSecondFactor } from './second_factor.ts';

/** RFC 8176 §2: the password, given at sign-up. */
export const SIGN_UP_AMR = ['pwd'];

/** What the session records about how it was opened (`user.signed_in` detail). */
export const SIGN_UP_LINK_DETAIL = { via: 'signup_link' } as const;

/**
 * Whether `link`, just used by `user` in a browser presenting `browserValue`, may open a session;
 * if so, when the person authenticated and where the sign-in continues.
 */
export async function linkSignIn(
  deps: { formKey: Buffer; stores: Stores; clock: Clock },
  link: AccountLink,
  user: User,
  browserValue: string | undefined,
): Promise<{ authTime: number; interactionId: string | null } | undefined> {
  if (!browserBindingMatches(browserValue, link.browserDigest)) return undefined;
  if (deps.clock.now() >= link.createdAt + SIGN_UP_BROWSER_SECONDS) return undefined;
  if (user.disabledAt !== null || user.kind !== 'personal' || user.passwordHash === null) return undefined;
  if (user.passwordChangedAt === null || user.passwordChangedAt > link.createdAt) return undefined;
  if (await hasSecondFactor(deps, user.id)) return undefined;
  return { authTime: link.createdAt, interactionId: link.interactionId ?? null };
}
