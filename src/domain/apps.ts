/** Third-party services registered to ask people for access (OAuth clients). */
export type ClientType = 'confidential' | 'public';

export interface App {
  /** The client_id. */
  id: string;
  name: string;
  description: string;
  publisher: string;
  websiteUrl: string | null;
  logoUrl: string | null;
  redirectUris: string[];
  /** Where people may be sent after signing out (OIDC RP-Initiated Logout §3.1); none when absent. */
  postLogoutRedirectUris?: string[];
  clientType: ClientType;
  /** Scopes this app may ask for. */
  scopes: string[];
  ownerUserId: string | null;
  verified: boolean;
  createdAt: number;
  /** The publisher's (company's) website; optional, https. */
  companyUrl?: string | null;
  termsUrl?: string | null;
  privacyUrl?: string | null;
  /** Opted in to the device flow (RFC 8628, issue 17); absent means no. */
  deviceFlow?: boolean;
  /** Its authorization requests must be pushed (RFC 9126 §6 `require_pushed_authorization_requests`, issue 18); absent means no. */
  requirePar?: boolean;
  /** Takes only DPoP-bound tokens (RFC 9449 §5.2, issue 18); absent means no. */
  dpopBoundAccessTokens?: boolean;
  /**
   * A single-page app: a public client running in a browser (issue 18,
   * draft-ietf-oauth-browser-based-apps). Its redirect URIs are web URLs; it gets CORS at the
   * token endpoints for their origins, and unbound refresh tokens that end 24 hours after the
   * family's first. Absent means no.
   */
  spa?: boolean;
  /**
   * OpenID Connect Back-Channel Logout 1.0 §2.2 (issue 19): where its logout tokens are POSTed
   * (domain/outbound_url.ts rules); absent or null = none.
   */
  backchannelLogoutUri?: string | null;
  /** §2.2 `backchannel_logout_session_required`: it wants `sid`; Tessera sends `sid` always. */
  backchannelLogoutSessionRequired?: boolean;
  /**
   * Where its Security Event Tokens are pushed (RFC 8935 §2, issue 19: CAEP session-revoked and
   * token-claims-change); held to domain/outbound_url.ts like the back-channel URI. Its
   * registration is its one SSF stream. Absent or null = none.
   */
  ssfEndpointUrl?: string | null;
}

export interface AppSecret {
  id: string;
  digest: string;
  expiresAt: number | null;
}

export interface AppStore {
  /** Creates the app and, for confidential clients, its first secret (given as a digest). */
  create(app: App, secretDigest: string | undefined, now: number): Promise<void>;
  find(id: string): Promise<App | undefined>;
  /** Secrets not revoked and not expired. */
  liveSecrets(appId: string, now: number): Promise<AppSecret[]>;
  /** The app and its live secrets in one read (client authentication); undefined when unknown. */
  findWithLiveSecrets(id: string, now: number): Promise<{ app: App; secrets: AppSecret[] } | undefined>;
  markSecretUsed(secretId: string, now: number): Promise<void>;
  /** The redirect URIs of every single-page app (issue 18): the origins a CORS preflight may be answered for. */
  listSpaRedirectUris(): Promise<string[]>;

  // The developer portal (issue 5).
  /** Apps owned by this person, newest first. */
  listByOwner(userId: string): Promise<App[]>;
  /** Rewrites the editable profile: everything but id, client type, owner, verified, createdAt. */
  update(app: App, now: number): Promise<void>;
  setVerified(appId: string, verified: boolean): Promise<boolean>;
  /** Secrets not revoked (expired ones included, marked by expiresAt), oldest first; never the digest. */
  listSecrets(appId: string): Promise<AppSecretInfo[]>;
  /**
   * Adds a secret unless `maxLive` live ones exist already; one transaction, so two parallel
   * rotations cannot make three. Returns the new secret's id, or undefined when refused.
   */
  addSecret(appId: string, secretDigest: string, expiresAt: number | null, maxLive: number, now: number): Promise<string | undefined>;
  /** Revokes one secret of this app; false if it was not live. */
  revokeSecret(appId: string, secretId: string, now: number): Promise<boolean>;
  setLogo(appId: string, logo: AppLogo, now: number): Promise<void>;
  findLogo(appId: string): Promise<AppLogo | undefined>;
  /** Grants of this app not revoked and not expired. */
  liveGrantIds(appId: string, now: number): Promise<string[]>;
  /** Deletes the app with its secrets, logo, grants, codes, refresh tokens and interactions; one transaction. */
  delete(appId: string): Promise<void>;
  usage(appId: string, now: number, days: number): Promise<AppUsage>;

  // Dynamic Client Registration (RFC 7591, 7592); tokens are given and looked up as digests.
  createRegistrationToken(token: RegistrationToken, now: number): Promise<void>;
  /** Spends a live, unused initial access token; false if there is none (single use). */
  spendInitialToken(tokenDigest: string, now: number): Promise<boolean>;
  /** The app a live registration access token manages. */
  findByRegistrationToken(tokenDigest: string): Promise<string | undefined>;
}

export interface RegistrationToken {
  digest: string;
  kind: 'initial' | 'access';
  appId: string | null;
  expiresAt: number | null;
}

export interface AppSecretInfo {
  id: string;
  createdAt: number;
  expiresAt: number | null;
  lastUsedAt: number | null;
}

export interface AppLogo {
  contentType: 'image/png' | 'image/jpeg';
  bytes: Buffer;
}

export interface AppUsage {
  /** People with a live grant. */
  activeGrants: number;
  /** Token responses per UTC day (YYYY-MM-DD), newest first, days without any left out. */
  tokensPerDay: { day: string; count: number }[];
}
