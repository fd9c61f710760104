/**
 * Registering a passkey (issue 16): added by a signed-in person on the profile, or made at a
 * passkey-only sign-up (no password). Resident (discoverable) and verifying the person, attestation
 * "none". Called through `Accounts`.
 * @module
 */
import type { AuditEvent } from '../../domain/audit.ts';
import type { ChallengeData, Passkey, PasskeyChallenge } from '../../domain/passkeys.ts';
import type { User } from '../../domain/users.ts';
import type { ClientInfo, SignedIn } from './sessions.ts';
import { deviceName } from '../../domain/devices.ts';
import { asRegistrationResponse, newUserHandle, registrationOptions, relyingParty, verifyRegistration, type CreationOptions } from '../../crypto/webauthn.ts';
import { canHavePasskeys, passkeyName, refused, storeChallenge, takeChallenge, type PasskeyDeps, type Refused } from './passkeys.ts';

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

/**
 * Verifies a registration response against the challenge it answers (taken once, of `purpose`,
 * `expected` of it): the passkey to store, as yet without its owner and name.
 */
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

/** Adds a verified passkey to the signed-in person's account, with `user.passkey_added` (its notice is mailed). */
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

/** A new account's passkey and its `user.passkey_added` event, made once the account's id is known. */
export type NewAccountPasskey = (user: User) => { row: Passkey; event: AuditEvent };

/**
 * Finishes a passkey sign-up: `create` makes the account (Accounts.createAccount) with its
 * verification mail and this passkey in one transaction, or tells the owner of a taken address.
 * A taken address stores nothing and answers the same (SECURITY 33).
 */
export async function signUpWithPasskey(
  deps: PasskeyDeps,
  body: unknown,
  caller: ClientInfo,
  create: (input: { email: string; name: string }, passkey: NewAccountPasskey) => Promise<User | undefined>,
): Promise<{ kind: 'done' } | Refused> {
  const registered = await register(deps, body, 'sign_up', (c) => c.data.email !== undefined && c.data.name !== undefined);
  if (registered.kind === 'refused') return registered;
  const { email, name } = registered.challenge.data as Required<ChallengeData>;
  const now = deps.clock.now();
  // In the account's own transaction (issue 16): a crash never leaves an account without its only way in.
  await create({ email, name }, (user) => {
    const row: Passkey = { ...registered.credential, userId: user.id, name: deviceName(caller.userAgent), createdAt: now };
    return { row, event: { type: 'user.passkey_added', userId: user.id, ip: caller.ip, userAgent: caller.userAgent, detail: { name: row.name } } };
  });
  return { kind: 'done' };
}
