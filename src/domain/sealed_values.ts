/**
 * Every value the database keeps sealed under the key-encryption key (or a key derived from it),
 * seen as one set, so a KEK rotation re-seals all of them in one transaction.
 * @module
 */

/** Where a sealed value lives; each kind binds its own associated data (see crypto/rekey.ts). */
export type SealedKind = 'signing_key' | 'totp_secret' | 'directory_secret';

export interface SealedValue {
  kind: SealedKind;
  /** The row's id: the kid, the person's id, the directory's id. */
  id: string;
  sealed: string;
}

export interface SealedValueStore {
  /** Every sealed value, signing keys first. */
  listAll(): Promise<SealedValue[]>;
  /**
   * Reads every sealed value and writes back what `reseal` returns (undefined: keep it), in one
   * transaction that first takes the write lock on the three tables, so no value sealed under
   * the old key can slip in between. If `reseal` throws, nothing is written.
   * Returns the values it read.
   */
  resealAll(reseal: (value: SealedValue) => string | undefined): Promise<SealedValue[]>;
}
