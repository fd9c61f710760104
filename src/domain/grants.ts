/**
 * A grant is one person's authorization of one app: the scopes approved, when, and when last used.
 * It is the unit of revocation: revoking it ends its codes, refresh tokens and access tokens.
 */
export interface Grant {
  id: string;
  userId: string;
  appId: string;
  scopes: string[];
  createdAt: number;
  updatedAt: number;
  lastUsedAt: number | null;
  expiresAt: number | null;
}

export interface GrantStore {
  findLive(userId: string, appId: string, now: number): Promise<Grant | undefined>;
  findById(id: string): Promise<Grant | undefined>;
  /** Creates the person's grant for the app, or extends the live one with `scopes`. */
  approve(userId: string, appId: string, scopes: string[], now: number): Promise<Grant>;
  /**
   * Revokes the grant and, in the same transaction, its codes and refresh tokens, and records the
   * revocation for the access-token denylist. Returns false when it was not live.
   */
  revoke(grantId: string, now: number, denylistUntil: number): Promise<boolean>;
  touch(grantId: string, now: number, ip: string | null): Promise<void>;
}
