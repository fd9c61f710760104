/**
 * A software WebAuthn authenticator for HTTP-level tests (issue 16): it answers the options our
 * endpoints hand out with real ES256 credentials, "none" attestation (WebAuthn §8.7) and real
 * signatures, exactly as a browser would post them (`PublicKeyCredential.toJSON()`). Every field it
 * signs can be bent on purpose (origin, RP ID, counter, flags), so a test can show that each check
 * on the server refuses what it must. The real ceremonies in Chromium are in
 * test/e2e/passkeys_browser.test.ts; this one runs on both dialects without a browser.
 */
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';

type Cbor = number | string | Buffer | Map<Cbor, Cbor>;

function head(major: number, n: number): Buffer {
  if (n < 24) return Buffer.from([(major << 5) | n]);
  if (n < 256) return Buffer.from([(major << 5) | 24, n]);
  if (n < 65536) return Buffer.from([(major << 5) | 25, n >> 8, n & 0xff]);
  const b = Buffer.alloc(5);
  b[0] = (major << 5) | 26;
  b.writeUInt32BE(n, 1);
  return b;
}

/** The few CBOR shapes attestation objects and COSE keys need (RFC 8949): integers, bytes, text, maps. */
export function cbor(value: Cbor): Buffer {
  if (typeof value === 'number') return value >= 0 ? head(0, value) : head(1, -1 - value);
  if (typeof value === 'string') return Buffer.concat([head(3, Buffer.byteLength(value)), Buffer.from(value, 'utf8')]);
  if (Buffer.isBuffer(value)) return Buffer.concat([head(2, value.length), value]);
  return Buffer.concat([head(5, value.size), ...[...value].flatMap(([k, v]) => [cbor(k), cbor(v)])]);
}

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest();

export const FLAGS = { up: 0x01, uv: 0x04, be: 0x08, bs: 0x10, at: 0x40 } as const;

export interface SoftCredential {
  id: Buffer;
  key: KeyObject;
  publicKey: KeyObject;
  userHandle: string;
  rpId: string;
  counter: number;
  backupEligible: boolean;
}

export interface CeremonyOptions {
  challenge: string;
  rp?: { id?: string };
  rpId?: string;
  user?: { id: string; name?: string };
}

/** What a test bends in one ceremony. */
export interface Bend {
  origin?: string;
  rpId?: string;
  /** The counter to sign; default: the credential's, plus one. */
  counter?: number;
  /** Flags to sign; default UP|UV (and BE|BS for a backup-eligible credential). */
  flags?: number;
  type?: string;
  challenge?: string;
  /** Leave out the user handle (as an authenticator does for a non-discoverable credential). */
  noUserHandle?: boolean;
}

export class SoftAuthenticator {
  readonly credentials: SoftCredential[] = [];

  constructor(
    readonly origin: string,
    readonly rpId: string = new URL(origin).hostname,
    readonly options: { backupEligible?: boolean; counter?: boolean } = {},
  ) {}

  private defaultFlags(credential: { backupEligible: boolean }): number {
    return FLAGS.up | FLAGS.uv | (credential.backupEligible ? FLAGS.be | FLAGS.bs : 0);
  }

  private clientData(type: string, challenge: string, origin: string): Buffer {
    return Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }), 'utf8');
  }

  /** Answers navigator.credentials.create() options: a new credential, its response as JSON. */
  register(options: CeremonyOptions, bend: Bend = {}): { response: Record<string, unknown>; credential: SoftCredential } {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const credential: SoftCredential = {
      id: randomBytes(32),
      key: privateKey,
      publicKey,
      userHandle: options.user?.id ?? '',
      rpId: options.rp?.id ?? this.rpId,
      counter: 0,
      backupEligible: this.options.backupEligible ?? false,
    };
    const jwk = publicKey.export({ format: 'jwk' });
    const cose = cbor(
      new Map<Cbor, Cbor>([
        [1, 2],
        [3, -7],
        [-1, 1],
        [-2, Buffer.from(jwk.x!, 'base64url')],
        [-3, Buffer.from(jwk.y!, 'base64url')],
      ]),
    );
    const counter = bend.counter ?? 0;
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(credential.id.length);
    const authData = Buffer.concat([
      sha256(bend.rpId ?? credential.rpId),
      Buffer.from([(bend.flags ?? this.defaultFlags(credential)) | FLAGS.at]),
      u32(counter),
      Buffer.alloc(16),
      idLength,
      credential.id,
      cose,
    ]);
    const attestationObject = cbor(
      new Map<Cbor, Cbor>([
        ['fmt', 'none'],
        ['attStmt', new Map()],
        ['authData', authData],
      ]),
    );
    this.credentials.push(credential);
    const id = credential.id.toString('base64url');
    return {
      credential,
      response: {
        id,
        rawId: id,
        type: 'public-key',
        response: {
          clientDataJSON: this.clientData(bend.type ?? 'webauthn.create', bend.challenge ?? options.challenge, bend.origin ?? this.origin).toString('base64url'),
          attestationObject: attestationObject.toString('base64url'),
          transports: ['internal'],
        },
        clientExtensionResults: {},
        authenticatorAttachment: 'platform',
      },
    };
  }

  /** Answers navigator.credentials.get() options with `credential` (default: the first one). */
  assert(options: CeremonyOptions, credential: SoftCredential | undefined = this.credentials[0], bend: Bend = {}): Record<string, unknown> {
    if (!credential) throw new Error('no credential to sign with');
    const counter = bend.counter ?? (this.options.counter === false ? 0 : credential.counter + 1);
    if (bend.counter === undefined) credential.counter = counter;
    const authData = Buffer.concat([sha256(bend.rpId ?? credential.rpId), Buffer.from([bend.flags ?? this.defaultFlags(credential)]), u32(counter)]);
    const clientDataJSON = this.clientData(bend.type ?? 'webauthn.get', bend.challenge ?? options.challenge, bend.origin ?? this.origin);
    const signature = sign('sha256', Buffer.concat([authData, sha256(clientDataJSON)]), credential.key);
    const id = credential.id.toString('base64url');
    return {
      id,
      rawId: id,
      type: 'public-key',
      response: {
        clientDataJSON: clientDataJSON.toString('base64url'),
        authenticatorData: authData.toString('base64url'),
        signature: signature.toString('base64url'),
        ...(bend.noUserHandle ? {} : { userHandle: credential.userHandle }),
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}
