/**
 * WebAuthn Level 3 ceremonies through @simplewebauthn/server (issue 16): the one place that
 * builds options and verifies attestations and assertions. Everything else handles credentials
 * as plain values (ids, base64url keys, counters).
 *
 * What is checked (WebAuthn §7.1, §7.2): the response's type, its challenge (the one we handed
 * out), its origin (exactly the issuer's), the RP ID hash (the issuer's host), user presence, user
 * verification where asked, and the signature with the stored key. The signature counter is NOT
 * compared here: the library would compare it before the signature, so a forged response could
 * pass for a cloned authenticator. The caller compares it after a verified signature
 * (services/accounts/passkeys.ts).
 * @module
 */
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { isIP } from 'node:net';
import { randomId } from './random.ts';

let loading: Promise<typeof import('@simplewebauthn/server')> | undefined;
/**
 * The library, loaded on the first ceremony rather than at start (issue 14): with its CBOR and
 * ASN.1 dependencies it was the largest single import of a starting server (about 250 ms of a
 * 1.1 s module load on a quiet machine), for pages most starts never serve.
 */
function library(): Promise<typeof import('@simplewebauthn/server')> {
  loading ??= import('@simplewebauthn/server');
  return loading;
}

export type CreationOptions = PublicKeyCredentialCreationOptionsJSON;
export type RequestOptions = PublicKeyCredentialRequestOptionsJSON;
export type RegistrationResponse = RegistrationResponseJSON;
export type AuthenticationResponse = AuthenticationResponseJSON;

/** The relying party: `rpID` is PUBLIC_URL's host, `origin` its origin (WebAuthn §5.1.3, §13.4.9). */
export interface RelyingParty {
  name: string;
  id: string;
  origin: string;
}

/**
 * Whether passkeys can work at all for this issuer: an RP ID is a domain, never an IP address
 * (WebAuthn §5.1.3, §13.4.9), so an issuer at http://127.0.0.1:… offers no passkeys (browsers
 * refuse the ceremony). Browsers also need a secure context, which they judge themselves.
 */
export function passkeysPossible(issuer: string): boolean {
  const host = new URL(issuer).hostname;
  return host.startsWith('[') ? false : isIP(host) === 0;
}

export function relyingParty(issuer: string, name = 'Tessera'): RelyingParty {
  const url = new URL(issuer);
  return { name, id: url.hostname, origin: url.origin };
}

/** A credential as stored: what a ceremony needs of it. */
export interface StoredCredential {
  id: string;
  /** COSE public key, base64url. */
  publicKey: string;
  transports: string[];
}

/** A new WebAuthn user handle: 128 random bits, base64url. Never the account id or email (WebAuthn §14.6.1). */
export function newUserHandle(): string {
  return randomId();
}

/** Options for navigator.credentials.create(): a discoverable credential with user verification. */
export async function registrationOptions(rp: RelyingParty, user: { handle: string; email: string; name: string }, exclude: StoredCredential[]): Promise<CreationOptions> {
  const { generateRegistrationOptions } = await library();
  return generateRegistrationOptions({
    rpName: rp.name,
    rpID: rp.id,
    userName: user.email,
    userDisplayName: user.name,
    userID: Buffer.from(user.handle, 'base64url'),
    attestationType: 'none',
    // A passkey can be the only way in: resident (discoverable, so sign-in needs no typing) and
    // verifying the person (PIN, biometrics), so possessing the device is not enough.
    authenticatorSelection: { residentKey: 'required', requireResidentKey: true, userVerification: 'required' },
    excludeCredentials: exclude.map((c) => ({ id: c.id, transports: c.transports })),
    timeout: 120_000,
  });
}

/**
 * Options for navigator.credentials.get(). Without `allow`, any passkey of ours the browser holds
 * (discoverable credentials, empty allowCredentials: sign-in without typing).
 */
export async function authenticationOptions(rp: RelyingParty, userVerification: 'required' | 'preferred', allow: StoredCredential[] = []): Promise<RequestOptions> {
  const { generateAuthenticationOptions } = await library();
  return generateAuthenticationOptions({
    rpID: rp.id,
    userVerification,
    allowCredentials: allow.map((c) => ({ id: c.id, transports: c.transports })),
    timeout: 120_000,
  });
}

/** The challenge a response says it answers (from its clientDataJSON), to find the one we stored. */
export function challengeOf(response: { response: { clientDataJSON: string } }): string | undefined {
  try {
    const client: unknown = JSON.parse(Buffer.from(response.response.clientDataJSON, 'base64url').toString('utf8'));
    const challenge = client !== null && typeof client === 'object' && Object.hasOwn(client, 'challenge') ? (client as { challenge: unknown }).challenge : undefined;
    return typeof challenge === 'string' && challenge.length > 0 && challenge.length <= 256 ? challenge : undefined;
  } catch {
    return undefined;
  }
}

export type VerifiedRegistration =
  | {
      ok: true;
      credential: StoredCredential;
      counter: number;
      aaguid: string;
      backupEligible: boolean;
      backedUp: boolean;
    }
  | { ok: false; reason: string };

export async function verifyRegistration(rp: RelyingParty, response: RegistrationResponse, challenge: string): Promise<VerifiedRegistration> {
  const { verifyRegistrationResponse } = await library();
  try {
    const verified = await verifyRegistrationResponse({
      response,
      expectedChallenge: challenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      requireUserVerification: true,
    });
    if (!verified.verified) return { ok: false, reason: 'registration not verified' };
    const info = verified.registrationInfo;
    return {
      ok: true,
      credential: {
        id: info.credential.id,
        publicKey: Buffer.from(info.credential.publicKey).toString('base64url'),
        transports: (info.credential.transports ?? []).filter((t) => typeof t === 'string').slice(0, 8),
      },
      counter: info.credential.counter,
      aaguid: info.aaguid,
      backupEligible: info.credentialDeviceType === 'multiDevice',
      backedUp: info.credentialBackedUp,
    };
  } catch (err) {
    return { ok: false, reason: err instanceof Error ? err.message : String(err) };
  }
}

export type VerifiedAssertion =
  | { ok: true; counter: number; userVerified: boolean; backupEligible: boolean; backedUp: boolean }
  | { ok: false; reason: string };

export async function verifyAssertion(
  rp: RelyingParty,
  response: AuthenticationResponse,
  challenge: string,
  credential: StoredCredential,
  requireUserVerification: boolean,
): Promise<VerifiedAssertion> {
  const { verifyAuthenticationResponse } = await library();
  try {
    const verified = await verifyAuthenticationResponse({
      response,
      expectedChallenge: challenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      // Counter 0 here: the caller compares counters once the signature is known to be good.
      credential: { id: credential.id, publicKey: Buffer.from(credential.publicKey, 'base64url'), counter: 0, transports: credential.transports },
      requireUserVerification,
    });
    if (!verified.verified) return { ok: false, reason: 'signature not verified' };
    const info = verified.authenticationInfo;
    return { ok: true, counter: info.newCounter, userVerified: info.userVerified, backupEligible: info.credentialDeviceType === 'multiDevice', backedUp: info.credentialBackedUp };
  } catch (err) {
    return { ok: false, reason: err instanceof Error ? err.message : String(err) };
  }
}

const B64URL = /^[A-Za-z0-9_-]*$/;
const MAX_FIELD = 16_384;

function b64url(value: unknown, max = MAX_FIELD): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= max && B64URL.test(value);
}

function record(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function field(value: Record<string, unknown>, name: string): unknown {
  return Object.hasOwn(value, name) ? value[name] : undefined;
}

/** The common part of both responses (WebAuthn §5.1 `toJSON()`): ids as base64url, type public-key. */
function credentialShape(value: unknown): value is Record<string, unknown> & { id: string; response: Record<string, unknown> } {
  if (!record(value)) return false;
  const id = field(value, 'id');
  return b64url(id, 1023) && field(value, 'rawId') === id && field(value, 'type') === 'public-key' && record(field(value, 'response'));
}

/** A registration response as the browser sent it, or undefined when it does not have the shape of one. */
export function asRegistrationResponse(value: unknown): RegistrationResponse | undefined {
  if (!credentialShape(value)) return undefined;
  const r = value.response;
  if (!b64url(field(r, 'clientDataJSON')) || !b64url(field(r, 'attestationObject'))) return undefined;
  const transports = field(r, 'transports');
  const list = Array.isArray(transports) ? transports.filter((t): t is string => typeof t === 'string' && t.length <= 32).slice(0, 8) : [];
  return {
    id: value.id,
    rawId: value.id,
    type: 'public-key',
    response: { clientDataJSON: field(r, 'clientDataJSON') as string, attestationObject: field(r, 'attestationObject') as string, transports: list as RegistrationResponse['response']['transports'] },
    clientExtensionResults: {},
  };
}

/** An authentication response as the browser sent it, or undefined when it does not have the shape of one. */
export function asAuthenticationResponse(value: unknown): AuthenticationResponse | undefined {
  if (!credentialShape(value)) return undefined;
  const r = value.response;
  const userHandle = field(r, 'userHandle');
  if (!b64url(field(r, 'clientDataJSON')) || !b64url(field(r, 'authenticatorData')) || !b64url(field(r, 'signature'))) return undefined;
  if (userHandle !== undefined && userHandle !== null && !b64url(userHandle, 128)) return undefined;
  return {
    id: value.id,
    rawId: value.id,
    type: 'public-key',
    response: {
      clientDataJSON: field(r, 'clientDataJSON') as string,
      authenticatorData: field(r, 'authenticatorData') as string,
      signature: field(r, 'signature') as string,
      ...(typeof userHandle === 'string' ? { userHandle } : {}),
    },
    clientExtensionResults: {},
  };
}
