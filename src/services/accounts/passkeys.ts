/**
 * Passkeys (issue 16; WebAuthn Level 3), called through `Accounts`: what the ceremonies share (their
 * challenges, the refusal), and managing the passkeys an account has. The ceremonies themselves:
 * ./passkey_sign_in.ts (sign-in, second factor) and ./passkey_registration.ts (adding one, sign-up).
 *
 * Challenges are kept server-side (`passkey_challenges`), bound to their ceremony (and to the
 * account, or to the pending sign-in), live CHALLENGE_SECONDS and are taken once, whatever the
 * outcome: a replayed response finds no challenge.
 *
 * The relying party is PUBLIC_URL: its host is the RP ID, its origin the only origin accepted.
 * @module
 */
import type { Clock } from '../../clock.ts';
import type { Config } from '../../config/config.ts';
import type { Stores } from '../../domain/stores.ts';
import type { Throttles } from '../../caches/throttles.ts';
import type { User } from '../../domain/users.ts';
import type { ClientInfo } from './sessions.ts';
import { CHALLENGE_SECONDS, MAX_PASSKEY_NAME_CHARS, type ChallengeData, type ChallengePurpose, type PasskeyChallenge } from '../../domain/passkeys.ts';
import { digest } from '../../crypto/digest.ts';
import { challengeOf, passkeysPossible, type CreationOptions, type RequestOptions } from '../../crypto/webauthn.ts';

export type { CreationOptions, RequestOptions };

export interface PasskeyDeps {
  config: Config;
  clock: Clock;
  stores: Stores;
  throttles: Throttles;
}

/** A refusal says nothing of why to the browser; `reason` is for the log. */
export type Refused = { kind: 'refused'; reason: string };
export type Throttled = { kind: 'throttled'; retryAfter: number };

export function refused(reason: string): Refused {
  return { kind: 'refused', reason };
}

/** A passkey's name as typed: trimmed, at most MAX_PASSKEY_NAME_CHARS; `fallback` when empty. */
export function passkeyName(raw: string | undefined, fallback: string): string {
  const name = [...(raw ?? '').replace(/\s+/g, ' ').trim()].slice(0, MAX_PASSKEY_NAME_CHARS).join('');
  return name === '' ? fallback : name;
}

/** Keeps a challenge just handed out for `purpose`, bound to an account, a pending sign-in, or what the ceremony needs next. */
export async function storeChallenge(deps: PasskeyDeps, challenge: string, purpose: ChallengePurpose, binding: { userId?: string; pendingId?: string; data?: ChallengeData } = {}): Promise<void> {
  const now = deps.clock.now();
  const row: PasskeyChallenge = {
    id: digest(challenge),
    purpose,
    userId: binding.userId ?? null,
    pendingId: binding.pendingId ?? null,
    data: binding.data ?? {},
    createdAt: now,
    expiresAt: now + CHALLENGE_SECONDS,
  };
  await deps.stores.passkeys.createChallenge(row);
}

/** Takes the challenge a response answers, if it was handed out for `purpose` and is still good. */
export async function takeChallenge(deps: PasskeyDeps, response: { response: { clientDataJSON: string } }, purpose: ChallengePurpose): Promise<{ value: string; row: PasskeyChallenge } | undefined> {
  const value = challengeOf(response);
  if (value === undefined) return undefined;
  const row = await deps.stores.passkeys.takeChallenge(digest(value), deps.clock.now());
  return row && row.purpose === purpose ? { value, row } : undefined;
}

/** Whether passkeys can work for this issuer at all (crypto/webauthn.ts, `passkeysPossible`). */
export function offered(deps: Pick<PasskeyDeps, 'config'>): boolean {
  return passkeysPossible(deps.config.issuer);
}

/** Work accounts sign in through their directory only (SECURITY 48): a passkey would bypass it. */
export function canHavePasskeys(user: User): boolean {
  return user.kind === 'personal';
}

// --- Managing ---------------------------------------------------------------------------------

export async function renamePasskey(deps: PasskeyDeps, user: User, id: string, rawName: string | undefined): Promise<boolean> {
  const name = passkeyName(rawName, '');
  return name !== '' && deps.stores.passkeys.rename(user.id, id, name);
}

/**
 * Removes a passkey with `user.passkey_removed` (its notice is mailed). 'last' when the account has
 * no password and this is its only passkey: the last way in stays. The caller has checked that
 * the sign-in is recent.
 */
export async function removePasskey(deps: PasskeyDeps, user: User, id: string, caller: ClientInfo): Promise<'removed' | 'unknown' | 'last'> {
  const passkey = await deps.stores.passkeys.find(id);
  if (!passkey || passkey.userId !== user.id) return 'unknown';
  const event = { type: 'user.passkey_removed', userId: user.id, ip: caller.ip, userAgent: caller.userAgent, detail: { name: passkey.name } };
  return deps.stores.passkeys.remove(user.id, id, event, deps.clock.now());
}
