/**
 * The database as Kysely sees it: one interface per table. Columns are snake_case; times are
 * whole seconds since the epoch (bigint on PostgreSQL, read back as numbers); lists of scopes are
 * space-separated strings (RFC 6749 §3.3) and other lists are JSON text, so one schema serves both
 * dialects.
 * @module
 */
import type { Generated } from 'kysely';

export interface UsersTable {
  id: string;
  email: string;
  name: string;
  password_hash: string | null;
  created_at: number;
  updated_at: number;
  password_changed_at: number | null;
  disabled_at: number | null;
}

export interface SessionsTable {
  /** SHA-256 digest of the cookie value; the value itself is never stored. */
  id: string;
  user_id: string;
  auth_time: number;
  amr: string;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
  ended_at: number | null;
  ip: string | null;
  user_agent: string | null;
}

export interface OrganizationsTable {
  id: string;
  slug: string;
  name: string;
  created_at: number;
}

export interface MembershipsTable {
  org_id: string;
  user_id: string;
  role: string;
  created_at: number;
}

export interface AppsTable {
  /** The client_id. */
  id: string;
  name: string;
  description: string;
  publisher: string;
  website_url: string | null;
  logo_url: string | null;
  /** JSON array of registered redirect URIs, compared by simple string comparison. */
  redirect_uris: string;
  client_type: 'confidential' | 'public';
  scopes: string;
  owner_user_id: string | null;
  verified: number;
  created_at: number;
  updated_at: number;
}

export interface AppSecretsTable {
  id: string;
  app_id: string;
  digest: string;
  created_at: number;
  expires_at: number | null;
  last_used_at: number | null;
  revoked_at: number | null;
}

export interface GrantsTable {
  id: string;
  user_id: string;
  app_id: string;
  scopes: string;
  created_at: number;
  updated_at: number;
  last_used_at: number | null;
  last_used_ip: string | null;
  expires_at: number | null;
  revoked_at: number | null;
}

export interface InteractionsTable {
  id: string;
  app_id: string;
  /** JSON of the validated authorization request. */
  params: string;
  session_id: string | null;
  created_at: number;
  expires_at: number;
  consumed_at: number | null;
}

export interface AuthorizationCodesTable {
  /** SHA-256 digest of the code. */
  id: string;
  app_id: string;
  user_id: string;
  grant_id: string;
  /** Token family the redemption creates; known in advance so a replay can revoke it (RFC 6749 §4.1.2). */
  family_id: string;
  redirect_uri: string;
  scopes: string;
  code_challenge: string;
  nonce: string | null;
  auth_time: number;
  amr: string;
  created_at: number;
  expires_at: number;
  consumed_at: number | null;
}

export interface RefreshTokensTable {
  /** SHA-256 digest of the token. */
  id: string;
  family_id: string;
  grant_id: string;
  app_id: string;
  user_id: string;
  scopes: string;
  auth_time: number;
  amr: string;
  parent_id: string | null;
  created_at: number;
  /** min(idle expiry, family end). */
  expires_at: number;
  family_expires_at: number;
  rotated_at: number | null;
  revoked_at: number | null;
}

/**
 * Denylist of revoked grants, token families and access-token ids, kept while an access token
 * issued before the revocation could still be unexpired. Every process holds it in memory.
 */
export interface RevocationsTable {
  id: string;
  kind: 'grant' | 'family' | 'token';
  revoked_at: number;
  expires_at: number;
}

export interface SigningKeysTable {
  kid: string;
  alg: string;
  public_jwk: string;
  /** AES-256-GCM ciphertext of the private JWK under the key-encryption key. */
  private_jwk: string;
  state: 'current' | 'previous' | 'retired';
  created_at: number;
  rotated_at: number | null;
}

export interface AuditEventsTable {
  id: Generated<number>;
  at: number;
  type: string;
  user_id: string | null;
  app_id: string | null;
  ip: string | null;
  detail: string;
}

export interface Database {
  users: UsersTable;
  sessions: SessionsTable;
  organizations: OrganizationsTable;
  memberships: MembershipsTable;
  apps: AppsTable;
  app_secrets: AppSecretsTable;
  grants: GrantsTable;
  interactions: InteractionsTable;
  authorization_codes: AuthorizationCodesTable;
  refresh_tokens: RefreshTokensTable;
  revocations: RevocationsTable;
  signing_keys: SigningKeysTable;
  audit_events: AuditEventsTable;
}
