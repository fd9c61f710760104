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
  /** RFC 9449 §10: the JWK thumbprint the authorization request's `dpop_jkt` bound the code to; absent or null = none. */
  dpopJkt?: string | null;
  /** The sid of the session it was issued in (Back-Channel Logout §2.4), for its ID token; absent or null = none. */
  sid?: string | null;
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
  /** RFC 9449 §5: the JWK thumbprint a public client's token is bound to; absent or null = unbound. */
  dpopJkt?: string | null;
  /**
   * The sid of the session the family's code was issued in, carried by every token of the family
   * so a refreshed ID token names the same session (OIDC Core §12.2); absent or null = none.
   */
  sid?: string | null;
}

/**
 * The grant and the person a code or refresh token belongs to, read together with the token in
 * one query: the token endpoint needs all three, and each round trip to PostgreSQL costs more
 * than the work of the request (bench/README.md).
 */
export interface TokenHolder {
  /** Undefined when the grant row is gone. What it allows now may be less than the token holds. */
  grant: { revokedAt: number | null; expiresAt: number | null; scopes: string[]; orgIds: string[] | null } | undefined;
  /** Undefined when the person is gone. `email` and `emailVerified` as they are now, for the ID token (OIDC Core §5.1). */
  user: { disabledAt: number | null; passwordChangedAt: number | null; email: string; emailVerified: boolean } | undefined;
}

/**
 * A refresh the store may rotate in the statement that reads the token (issue 14: one round trip
 * on PostgreSQL). It rotates only when every check the refresh_token grant makes holds in SQL;
 * otherwise nothing is written and the grant decides from the row read, as before.
 */
export interface RotationAttempt {
  /** The presented token's digest. */
  id: string;
  now: number;
  /** The authenticated client (RFC 6749 §6). */
  appId: string;
  /** The key of the request's DPoP proof, if any (RFC 9449 §5). */
  proofJkt: string | null;
  /** The `scope` parameter, parsed; null when omitted (the token's full scopes). */
  requestedScopes: string[] | null;
  /** The successor's own terms; the rest of its row is copied from the presented token. */
  next: {
    id: string;
    /** now + the idle lifetime; the family's absolute end still caps it. */
    idleEnd: number;
    /** Its key when the presented token has none (a public client's proof). */
    dpopJkt: string | null;
  };
}

/**
 * A code the store may redeem in the statement that reads it (issue 14), only when every check of
 * the authorization_code grant holds in SQL (RFC 6749 §4.1.3, RFC 7636 §4.6).
 */
export interface RedemptionAttempt {
  /** The code's digest. */
  id: string;
  now: number;
  appId: string;
  /** The token request's redirect_uri; null when absent. */
  redirectUri: string | null;
  /** Whether that redirect_uri is acceptable for a code whose request carried none. */
  redirectUriFitsUnnamed: boolean;
  /** base64url(SHA-256(code_verifier)), to equal the stored challenge. */
  codeChallenge: string;
  proofJkt: string | null;
  /** The family's first refresh token, stored only when the code holds offline_access. */
  firstRefresh: { id: string; expiresAt: number; familyExpiresAt: number; dpopJkt: string | null };
}

export interface TokenStore {
  /**
   * Stores a code. With `sessionId`, the same write names the code's app with that sign-in session
   * (session_apps, with the code's `sid`; once per app and session), so ending the session sends
   * the app a logout token (OpenID Connect Back-Channel Logout 1.0 §2.5, issue 19).
   */
  createCode(code: AuthorizationCode, sessionId?: string): Promise<void>;
  findCode(id: string): Promise<AuthorizationCode | undefined>;
  /** A code with its grant and person, in one read. */
  findCodeWithHolder(id: string): Promise<{ code: AuthorizationCode; holder: TokenHolder } | undefined>;
  /**
   * Redeems a code atomically: marks it consumed only if it was not, and stores the first refresh
   * token of its family in the same transaction. False when another redemption won.
   */
  redeemCode(codeId: string, now: number, firstRefresh: RefreshToken | undefined): Promise<boolean>;
  /**
   * `findCodeWithHolder`, redeeming the code in the same statement when every check of `attempt`
   * holds (PostgreSQL). `redeemed` false: nothing was written (always so on SQLite, where the grant
   * redeems with `redeemCode`). `refreshIssued`: the first refresh token was stored with it.
   */
  findCodeRedeeming(attempt: RedemptionAttempt): Promise<{ code: AuthorizationCode; holder: TokenHolder; redeemed: boolean; refreshIssued: boolean } | undefined>;
  findRefresh(id: string): Promise<RefreshToken | undefined>;
  /** A refresh token with its grant and person, in one read. */
  findRefreshWithHolder(id: string): Promise<{ token: RefreshToken; holder: TokenHolder } | undefined>;
  /**
   * `findRefreshWithHolder`, rotating the token in the same statement when every check of `attempt`
   * holds (PostgreSQL). `rotated` false: nothing was written (always so on SQLite).
   */
  findRefreshRotating(attempt: RotationAttempt): Promise<{ token: RefreshToken; holder: TokenHolder; rotated: boolean } | undefined>;
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
