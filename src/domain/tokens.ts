/** Authorization codes and refresh tokens, stored by digest. */
export interface AuthorizationCode {
  id: string;
  appId: string;
  userId: string;
  grantId: string;
  familyId: string;
  redirectUri: string;
  scopes: string[];
  codeChallenge: string;
  nonce: string | null;
  authTime: number;
  amr: string[];
  createdAt: number;
  expiresAt: number;
  consumedAt: number | null;
}

export interface RefreshToken {
  id: string;
  familyId: string;
  grantId: string;
  appId: string;
  userId: string;
  scopes: string[];
  authTime: number;
  amr: string[];
  parentId: string | null;
  createdAt: number;
  expiresAt: number;
  familyExpiresAt: number;
  rotatedAt: number | null;
  revokedAt: number | null;
}

export interface TokenStore {
  createCode(code: AuthorizationCode): Promise<void>;
  findCode(id: string): Promise<AuthorizationCode | undefined>;
  /**
   * Redeems a code atomically: marks it consumed only if it was not, and stores the first refresh
   * token of its family in the same transaction. False when another redemption won.
   */
  redeemCode(codeId: string, now: number, firstRefresh: RefreshToken | undefined): Promise<boolean>;
  findRefresh(id: string): Promise<RefreshToken | undefined>;
  /** The family's live refresh token (neither rotated nor revoked): its newest, if any. */
  findLiveRefreshOfFamily(familyId: string): Promise<RefreshToken | undefined>;
  /** Rotates atomically: false when the token was already rotated or revoked (someone else won). */
  rotateRefresh(oldId: string, next: RefreshToken, now: number): Promise<boolean>;
  /** Revokes a token family: its refresh tokens now, its access tokens through the denylist. */
  revokeFamily(familyId: string, now: number, denylistUntil: number): Promise<void>;
  /** Denylists one access token by `jti` until it expires (RFC 7009 §2.1). */
  revokeAccessToken(jti: string, now: number, expiresAt: number): Promise<void>;
}

export interface Revocation {
  id: string;
  kind: 'grant' | 'family' | 'token';
  revokedAt: number;
  expiresAt: number;
}

export interface RevocationStore {
  /** Revocations recorded at or after `since` and still in force at `now`. */
  listSince(since: number, now: number): Promise<Revocation[]>;
}
