/**
 * Signing in with a passkey (issue 16): alone, with a discoverable credential and user
 * verification, or as the second factor after a password. Called through `Accounts`.
 *
 * `amr` (RFC 8176 §2): `hwk` for a key the authenticator keeps to itself (not backup-eligible:
 * security keys, most platform authenticators), `swk` for a key that may be synced to other devices
 * (backup-eligible: iCloud Keychain, Google Password Manager), since it then lives in software
 * outside the authenticator; `user` when the authenticator verified the person (PIN, biometrics),
 * which sign-in without a password requires; and `pwd` + `mfa` when a passkey followed a password.
 * `acr` is not set: nothing here defines levels a client could ask for.
 * @module
 */
import type { PendingSignIn } from '../../domain/sessions.ts';
import type { Passkey, PasskeyChallenge } from '../../domain/passkeys.ts';
import type { User } from '../../domain/users.ts';
import type { ClientInfo, OpenedSession } from './sessions.ts';
import { clientNetwork } from '../../caches/throttles.ts';
import { asAuthenticationResponse, authenticationOptions, relyingParty, verifyAssertion, type AuthenticationResponse, type RequestOptions } from '../../crypto/webauthn.ts';
import { refused, storeChallenge, takeChallenge, type PasskeyDeps, type Refused, type Throttled } from './passkeys.ts';

/** Opens the session of a sign-in (Accounts' own `open`, which records it with its event). */
export type Opener = (user: User, amr: string[], detail: Record<string, unknown>) => Promise<OpenedSession>;

export type PasskeySignIn = { kind: 'session'; user: User; opened: OpenedSession } | Throttled | Refused;

export type PasskeySecondFactor =
  | { kind: 'session'; user: User; opened: OpenedSession }
  | Throttled
  | Refused
  /** The pending sign-in is gone or its account cannot sign in: start again with the password. */
  | { kind: 'restart' };

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

export type Assertion = { kind: 'verified'; passkey: Passkey; user: User; keyKind: 'hwk' | 'swk'; userVerified: boolean };

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
  if (outcome.kind === 'session' || outcome.kind === 'added' || outcome.kind === 'verified') deps.throttles.loginPerIp.refund(network);
  return outcome;
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
 * What a passkey given as the second factor confirms, and so what its challenge is bound to: a
 * pending sign-in (after the password), or a password reset link (issue 15: the reset still asks
 * for the second factor). A challenge of one never answers the other.
 */
export type FactorBinding = { purpose: 'second_factor'; pendingId: string } | { purpose: 'password_reset'; linkId: string };

function boundTo(row: PasskeyChallenge, binding: FactorBinding): boolean {
  return binding.purpose === 'second_factor' ? row.pendingId === binding.pendingId : row.data.linkId === binding.linkId;
}

/**
 * Options for a passkey as `userId`'s second factor: the account's own passkeys only, user
 * verification preferred (the other factor is the password, or the mailbox of a reset link).
 * Undefined without passkeys.
 */
export async function factorOptions(deps: PasskeyDeps, userId: string, binding: FactorBinding): Promise<RequestOptions | undefined> {
  const passkeys = await deps.stores.passkeys.listForUser(userId);
  if (passkeys.length === 0) return undefined;
  const options = await authenticationOptions(relyingParty(deps.config.issuer), 'preferred', passkeys);
  const bound = binding.purpose === 'second_factor' ? { pendingId: binding.pendingId } : { data: { linkId: binding.linkId } };
  await storeChallenge(deps, options.challenge, binding.purpose, { userId, ...bound });
  return options;
}

/**
 * A passkey as `user`'s second factor: its challenge must be one handed out for this account and
 * this binding (taken once, so a replay finds none), the credential this account's; throttled per
 * network like any sign-in step. The caller finishes what it confirms.
 */
export async function verifyFactor(deps: PasskeyDeps, user: User, body: unknown, caller: ClientInfo, binding: FactorBinding): Promise<Assertion | Refused | Throttled> {
  const response = asAuthenticationResponse(body);
  if (!response) return refused('malformed response');
  return throttled(deps, caller, async (): Promise<Assertion | Refused> => {
    const challenge = await takeChallenge(deps, response, binding.purpose);
    if (!challenge || challenge.row.userId !== user.id || !boundTo(challenge.row, binding)) return refused(`no such challenge for this ${binding.purpose === 'second_factor' ? 'sign-in' : 'reset link'}`);
    return checkAssertion(deps, response, challenge.value, caller, { requireUserVerification: false, expectedUser: user });
  });
}

/** Options for the second step of a pending sign-in; undefined without passkeys. */
export async function secondFactorOptions(deps: PasskeyDeps, pending: PendingSignIn): Promise<RequestOptions | undefined> {
  return factorOptions(deps, pending.userId, { purpose: 'second_factor', pendingId: pending.id });
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
  const checked = await verifyFactor(deps, user, body, caller, { purpose: 'second_factor', pendingId: pending.id });
  if (checked.kind !== 'verified') return checked;
  if (!(await stores.sessions.consumePending(pending.id, clock.now()))) return { kind: 'restart' };
  await stores.sessions.clearFactorFailures(user.id);
  const amr = ['pwd', checked.keyKind, ...(checked.userVerified ? ['user'] : []), 'mfa'];
  return { kind: 'session', user, opened: await open(user, amr, { passkey: checked.passkey.name }) };
}
