/**
 * The `jti`s of DPoP proofs already accepted (RFC 9449 §11.1), shared by every node through the
 * database: a proof accepted once is refused everywhere after, until its `iat` leaves the window.
 * @module
 */

export interface DpopProofStore {
  /**
   * Records a proof's replay id, kept until `expiresAt`; false when it was recorded before (a
   * replay). One statement: the insert is the check, so two nodes cannot both accept a proof.
   */
  remember(id: string, expiresAt: number): Promise<boolean>;
}
