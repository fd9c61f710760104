/** Storage of signing keys; sealing and use live in crypto/. */
export type KeyState = 'current' | 'previous' | 'retired';

/** A key as stored: public JWK in clear, private JWK sealed under the key-encryption key. */
export interface SealedKey {
  kid: string;
  alg: string;
  publicJwk: Record<string, unknown>;
  sealedPrivateJwk: string;
  state: KeyState;
  createdAt: number;
  /** When the key last changed state (became previous, or retired); null while it is current. Read only: the store sets it. */
  rotatedAt?: number | null;
}

export interface SigningKeyStore {
  /** Every key not retired, current first. */
  listActive(): Promise<SealedKey[]>;
  listAll(): Promise<SealedKey[]>;
  /** Makes `next` current: current → previous, previous → retired, in one transaction. */
  rotate(next: SealedKey, now: number): Promise<void>;
  /** Inserts the first key, unless another process did first. */
  insertFirst(key: SealedKey): Promise<void>;
}
