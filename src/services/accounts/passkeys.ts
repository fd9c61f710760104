/**
 * Passkeys (issue 16; WebAuthn Level 3), called through `Accounts`: registration for a signed-in
 * person and for a passkey-only sign-up, sign-in with a discoverable passkey, a passkey as the
 * second factor after a password, renaming and removing.
 *
 * Challenges are kept server-side (`passkey_challenges`), bound to their ceremony (and to the
 * account, or to the pending sign-in), live CHALLENGE_SECONDS and are taken once, whatever the
 * outcome: a replayed response finds no challenge.
 *
 * The relying party is PUBLIC_URL: its host is the RP ID, its origin the only origin accepted.
 *
 * `amr` (RFC 8176 §2): `hwk` for a key the authenticator keeps to itself (not backup-eligible:
 * security keys, most platform authenticators), `swk` for a key that may be synced to other devices
 * (backup-eligible: iCloud Keychain, Google Password Manager), since it then lives in software
 * outside the authenticator; `user` when the authenticator verified the person (PIN, biometrics),
 * which sign-in without a password requires; and `pwd` + `mfa` when a passkey followed a password.
 * `acr` is not set: nothing here defines levels a client could ask for.
 * @module
 */
import type { Clock } from '../../clock.ts';
import type { Config } from '../../config/config.ts';
import type { Stores } from '../../domain/stores.ts';
import type { Throttles } from '../../caches/throttles.ts';
import type { PendingSignIn } from '../../domain/sessions.ts';
import type { User } from '../../domain/users.ts';
import type { ClientInfo, OpenedSession, SignedIn } from './sessions.ts';
import { CHALLENGE_SECONDS, MAX_PASSKEY_NAME_CHARS, type ChallengeData, type ChallengePurpose, type Passkey, type PasskeyChallenge } from '../../domain/passkeys.ts';
import { deviceName } from '../../domain/devices.ts';
import { clientNetwork } from '../../caches/throttles.ts';
import { digest } from '../../crypto/digest.ts';
import {
  asAuthenticationResponse,
  asRegistrationResponse,
  authenticationOptions,
  challengeOf,
  newUserHandle,
  passkeysPossible,
  registrationOptions,
  relyingParty,
  verifyAssertion,
  verifyRegistration,
  type AuthenticationResponse,
  type CreationOptions,
  type RequestOptions,
} from '../../crypto/webauthn.ts';

export type { CreationOptions, RequestOptions };

/**
 * Adding or removing a passkey needs a sign-in this recent (SECURITY 51), as a new client secret
 * does (services/apps.ts): a stolen session must not add a way in that outlives it.
 */
export const PASSKEY_SIGN_IN_SECONDS = 600;

export interface PasskeyDeps {
  config: Config;
  clock: Clock;
  stores: Stores;
  throttles: Throttles;
}

/** Opens the session of a sign-in (Accounts' own `open`, which records it with its event). */
export type Opener = (user: User, amr: string[], detail: Record<string, unknown>) => Promise<OpenedSession>;

/** A refusal says nothing of why to the browser; `reason` is for the log. */
export type Refused = { kind: 'refused'; reason: string };
export type Throttled = { kind: 'throttled'; retryAfter: number };

export type PasskeySignIn = { kind: 'session'; user: User; opened: OpenedSession } | Throttled | Refused;

export type PasskeySecondFactor =
  | { kind: 'session'; user: User; opened: OpenedSession }
  | Throttled
  | Refused
  /** The pending sign-in is gone or its account cannot sign in: start again with the password. */
  | { kind: 'restart' };

function refused(reason: string): Refused {
  return { kind: 'refused', reason };
}

/** A passkey's name as typed: trimmed, at most MAX_PASSKEY_NAME_CHARS; `fallback` when empty. */
export function passkeyName(raw: string | undefined, fallback: string): string {
  const name = [...(raw ?? '').replace(/\s+/g, ' ').trim()].slice(0, MAX_PASSKEY_NAME_CHARS).join('');
  return name === '' ? fallback : name;
}

async function storeChallenge(deps: PasskeyDeps, challenge: string, purpose: ChallengePurpose, binding: { userId?: string; pendingId?: string; data?: ChallengeData } = {}): Promise<void> {
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
async function takeChallenge(deps: PasskeyDeps, response: { response: { clientDataJSON: string } }, purpose: ChallengePurpose): Promise<{ value: string; row: PasskeyChallenge } | undefined> {
  const value = challengeOf(response);
  if (value === undefined) return undefined;
  const row = await deps.stores.passkeys.takeChallenge(digest(value), deps.clock.now());
  return row && row.purpose === purpose ? { value, row } : undefined;
}

/**
 * WebAuthn §6.1.1: a counter that does not grow past the stored one (when either is not 0) means
 * two authenticators hold the same key. The assertion is refused and
 * `user.passkey_clone_suspected` recorded (shown on the profile and mailed, domain/notices.ts);
 * the stored counter stays as it was, so the copy stays refused while it lags behind. Nothing more:
 * turning the passkey off would let whoever holds the copy lock a passkey-only account out, or
 * strip a password account of its second factor; the person, told, removes it.
 */
function counterWentBack(stored: number, presented: number): boolean {
  return (stored > 0 || presented > 0) && presented <= stored;
}

type Assertion = { kind: 'verified'; passkey: Passkey; user: User; keyKind: 'hwk' | 'swk'; userVerified: boolean };

/**
 * Checks an assertion against a stored passkey: the credential exists, belongs to `expectedUser`
 * when given, its account can sign in, the user handle matches, the signature verifies (origin,
 * RP ID, challenge, user verification), and the counter grew; then records the use.
 */
async function checkAssertion(
  deps: PasskeyDeps,
  response: AuthenticationResponse,
  challenge: string,
  caller: ClientInfo,
  rules: { requireUserVerification: boolean; expectedUser?: User },
): Promise<Assertion | Refused> {
  const { stores, clock } = deps;
  const now = clock.now();
  const passkey = await stores.passkeys.find(response.id);
  if (!passkey) return refused('unknown credential');
  const failed = async (reason: string) => {
    await stores.audit.record({ type: 'user.sign_in_failed', userId: rules.expectedUser?.id ?? passkey.userId, ip: caller.ip, detail: { step: 'passkey', reason } }, now);
    return refused(reason);
  };
  // Another account's passkey as this account's second factor: refused before anything else.
  if (rules.expectedUser && passkey.userId !== rules.expectedUser.id) return failed('credential of another account');
  const user = rules.expectedUser ?? (await stores.users.findById(passkey.userId));
  if (!user || user.disabledAt !== null) return refused('account cannot sign in');
  // §7.2 step 6: a discovered credential names its user; it must be the one it was made for.
  const handle = response.response.userHandle;
  if (rules.expectedUser === undefined && handle === undefined) return failed('no user handle');
  if (handle !== undefined && handle !== passkey.userHandle) return failed('user handle mismatch');

  const verified = await verifyAssertion(relyingParty(deps.config.issuer), response, challenge, passkey, rules.requireUserVerification);
  if (!verified.ok) return failed(verified.reason);
  if (counterWentBack(passkey.counter, verified.counter)) {
    await stores.audit.record(
      { type: 'user.passkey_clone_suspected', userId: user.id, ip: caller.ip, userAgent: caller.userAgent, detail: { name: passkey.name, stored: passkey.counter, presented: verified.counter } },
      now,
    );
    return refused('counter went back');
  }
  // Conditional on the counter: of two assertions with one counter value, one wins.
  if (!(await stores.passkeys.recordUse(passkey.id, verified.counter, verified.backedUp, now))) return failed('counter used concurrently');
  return { kind: 'verified', passkey, user, keyKind: verified.backupEligible ? 'swk' : 'hwk', userVerified: verified.userVerified };
}

/**
 * Room for a failure from the caller's network, taken before the check and given back on success,
 * as for passwords (SECURITY 32): a flood of forged assertions is slowed like a flood of guesses.
 */
async function throttled<T extends { kind: string }>(deps: PasskeyDeps, caller: ClientInfo, run: () => Promise<T>): Promise<T | Throttled> {
  const network = clientNetwork(caller.ip);
  const wait = deps.throttles.loginPerIp.take(network);
  if (wait > 0) return { kind: 'throttled', retryAfter: wait };
  let outcome: T;
  try {
    outcome = await run();
  } catch (err) {
    deps.throttles.loginPerIp.refund(network);
    throw err;
  }
  if (outcome.kind === 'session' || outcome.kind === 'added') deps.throttles.loginPerIp.refund(network);
  return outcome;
}

/** Whether passkeys can work for this issuer at all (crypto/webauthn.ts, `passkeysPossible`). */
export function offered(deps: Pick<PasskeyDeps, 'config'>): boolean {
  return passkeysPossible(deps.config.issuer);
}

// --- Sign-in without a password -------------------------------------------------------------

/** Options for a sign-in with any passkey of ours (discoverable: empty allowCredentials). */
export async function signInOptions(deps: PasskeyDeps): Promise<RequestOptions> {
  const options = await authenticationOptions(relyingParty(deps.config.issuer), 'required');
  await storeChallenge(deps, options.challenge, 'sign_in');
  return options;
}

/** A sign-in with a passkey alone: user verification required; `amr` [hwk|swk, user]. */
export async function signInWithPasskey(deps: PasskeyDeps, body: unknown, caller: ClientInfo, open: Opener): Promise<PasskeySignIn> {
  const response = asAuthenticationResponse(body);
  if (!response) return refused('malformed response');
  return throttled(deps, caller, async (): Promise<PasskeySignIn> => {
    const challenge = await takeChallenge(deps, response, 'sign_in');
    if (!challenge) return refused('no such challenge (used, expired or another ceremony)');
    const checked = await checkAssertion(deps, response, challenge.value, caller, { requireUserVerification: true });
    if (checked.kind === 'refused') return checked;
    const opened = await open(checked.user, [checked.keyKind, 'user'], { passkey: checked.passkey.name });
    return { kind: 'session', user: checked.user, opened };
  });
}

// --- The second factor after a password ------------------------------------------------------

/**
 * Options for the second step of a pending sign-in: the account's own passkeys only, user
 * verification preferred (the password was the first factor). Undefined without passkeys.
 */
export async function secondFactorOptions(deps: PasskeyDeps, pending: PendingSignIn): Promise<RequestOptions | undefined> {
  const passkeys = await deps.stores.passkeys.listForUser(pending.userId);
  if (passkeys.length === 0) return undefined;
  const options = await authenticationOptions(relyingParty(deps.config.issuer), 'preferred', passkeys);
  await storeChallenge(deps, options.challenge, 'second_factor', { userId: pending.userId, pendingId: pending.id });
  return options;
}

/**
 * A passkey as the second factor: its challenge must be this pending sign-in's, the credential
 * this account's. The pending sign-in is used up by the session it opens; `amr` [pwd, hwk|swk,
 * (user), mfa].
 */
export async function completeWithPasskey(deps: PasskeyDeps, pending: PendingSignIn, body: unknown, caller: ClientInfo, open: Opener): Promise<PasskeySecondFactor> {
  const { stores, clock } = deps;
  const user = await stores.users.findById(pending.userId);
  if (!user || user.disabledAt !== null) return { kind: 'restart' };
  const response = asAuthenticationResponse(body);
  if (!response) return refused('malformed response');
  return throttled(deps, caller, async (): Promise<PasskeySecondFactor> => {
    const challenge = await takeChallenge(deps, response, 'second_factor');
    if (!challenge || challenge.row.pendingId !== pending.id || challenge.row.userId !== user.id) return refused('no such challenge for this sign-in');
    const checked = await checkAssertion(deps, response, challenge.value, caller, { requireUserVerification: false, expectedUser: user });
    if (checked.kind === 'refused') return checked;
    if (!(await stores.sessions.consumePending(pending.id, clock.now()))) return { kind: 'restart' };
    await stores.sessions.clearFactorFailures(user.id);
    const amr = ['pwd', checked.keyKind, ...(checked.userVerified ? ['user'] : []), 'mfa'];
    return { kind: 'session', user, opened: await open(user, amr, { passkey: checked.passkey.name }) };
  });
}

// --- Registration ---------------------------------------------------------------------------

/** Work accounts sign in through their directory only (SECURITY 48): a passkey would bypass it. */
export function canHavePasskeys(user: User): boolean {
  return user.kind === 'personal';
}

/** Options to add a passkey to a signed-in person's account, excluding the ones they have. */
export async function addOptions(deps: PasskeyDeps, user: User): Promise<CreationOptions | undefined> {
  if (!canHavePasskeys(user)) return undefined;
  const passkeys = await deps.stores.passkeys.listForUser(user.id);
  // One user handle per account: an authenticator then keeps one passkey per account (§6.1).
  const userHandle = passkeys[0]?.userHandle ?? newUserHandle();
  const options = await registrationOptions(relyingParty(deps.config.issuer), { handle: userHandle, email: user.email, name: user.name }, passkeys);
  await storeChallenge(deps, options.challenge, 'register', { userId: user.id, data: { userHandle } });
  return options;
}

export type PasskeyAdded = { kind: 'added'; passkey: Passkey } | Refused;

/** Verifies a registration and stores the passkey with `user.passkey_added` (its notice is mailed). */
async function register(deps: PasskeyDeps, body: unknown, purpose: 'register' | 'sign_up', expected: (challenge: PasskeyChallenge) => boolean): Promise<{ kind: 'registered'; challenge: PasskeyChallenge; credential: Omit<Passkey, 'userId' | 'name' | 'createdAt'> } | Refused> {
  const response = asRegistrationResponse(body);
  if (!response) return refused('malformed response');
  const challenge = await takeChallenge(deps, response, purpose);
  if (!challenge || !expected(challenge.row) || challenge.row.data.userHandle === undefined) return refused('no such challenge');
  const verified = await verifyRegistration(relyingParty(deps.config.issuer), response, challenge.value);
  if (!verified.ok) return refused(verified.reason);
  if (await deps.stores.passkeys.find(verified.credential.id)) return refused('credential already registered');
  return {
    kind: 'registered',
    challenge: challenge.row,
    credential: {
      id: verified.credential.id,
      userHandle: challenge.row.data.userHandle,
      publicKey: verified.credential.publicKey,
      counter: verified.counter,
      transports: verified.credential.transports,
      backupEligible: verified.backupEligible,
      backedUp: verified.backedUp,
      aaguid: verified.aaguid,
      lastUsedAt: null,
    },
  };
}

export async function addPasskey(deps: PasskeyDeps, signedIn: SignedIn, rawName: string | undefined, body: unknown, caller: ClientInfo): Promise<PasskeyAdded> {
  const { user } = signedIn;
  if (!canHavePasskeys(user)) return refused('work account');
  const registered = await register(deps, body, 'register', (c) => c.userId === user.id);
  if (registered.kind === 'refused') return registered;
  const now = deps.clock.now();
  const passkey: Passkey = { ...registered.credential, userId: user.id, name: passkeyName(rawName, deviceName(caller.userAgent)), createdAt: now };
  const event = { type: 'user.passkey_added', userId: user.id, ip: caller.ip, userAgent: caller.userAgent, detail: { name: passkey.name } };
  if ((await deps.stores.passkeys.add(passkey, event)) === 'taken') return refused('credential already registered');
  return { kind: 'added', passkey };
}

// --- Sign-up with a passkey and no password --------------------------------------------------

/**
 * Options to create an account with a passkey: the name and address are kept with the challenge
 * and used only once the passkey is verified. A new user handle: the account does not exist yet.
 */
export async function signUpOptions(deps: PasskeyDeps, input: { email: string; name: string }): Promise<CreationOptions> {
  const userHandle = newUserHandle();
  const options = await registrationOptions(relyingParty(deps.config.issuer), { handle: userHandle, email: input.email, name: input.name }, []);
  await storeChallenge(deps, options.challenge, 'sign_up', { data: { userHandle, email: input.email, name: input.name } });
  return options;
}

/**
 * Finishes a passkey sign-up: `create` makes the account (Accounts.createAccount, with its
 * verification mail, or the word to the owner of a taken address), then the passkey is stored.
 * A taken address stores nothing and answers the same (SECURITY 33).
 */
export async function signUpWithPasskey(
  deps: PasskeyDeps,
  body: unknown,
  caller: ClientInfo,
  create: (input: { email: string; name: string }) => Promise<User | undefined>,
): Promise<{ kind: 'done' } | Refused> {
  const registered = await register(deps, body, 'sign_up', (c) => c.data.email !== undefined && c.data.name !== undefined);
  if (registered.kind === 'refused') return registered;
  const { email, name } = registered.challenge.data as Required<ChallengeData>;
  const user = await create({ email, name });
  if (!user) return { kind: 'done' };
  // Its own transaction, after the account's (which holds the verification mail): a crash between
  // leaves an account with no way in but the password reset link, never a passkey without account.
  const now = deps.clock.now();
  const passkey: Passkey = { ...registered.credential, userId: user.id, name: deviceName(caller.userAgent), createdAt: now };
  const event = { type: 'user.passkey_added', userId: user.id, ip: caller.ip, userAgent: caller.userAgent, detail: { name: passkey.name } };
  if ((await deps.stores.passkeys.add(passkey, event)) === 'taken') return refused('credential already registered');
  return { kind: 'done' };
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
