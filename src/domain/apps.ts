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
  clientType: ClientType;
  /** Scopes this app may ask for. */
  scopes: string[];
  ownerUserId: string | null;
  verified: boolean;
  createdAt: number;
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
  markSecretUsed(secretId: string, now: number): Promise<void>;
}
