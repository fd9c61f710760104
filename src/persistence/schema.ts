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
  /** 'personal' (email + password) or 'work' (a company directory); 202611291100. */
  kind: 'personal' | 'work';
  directory_id: string | null;
  /** When the person was known to own `email` (operator, directory); null = not proven; 202612070800. */
  email_verified_at: number | null;
  /** When the account was made a platform operator (`tessera user admin --grant`); null = not one; 202612071410. */
  platform_operator_at: number | null;
}

/** Company directories (upstream OpenID providers) for work accounts; 202611291100. */
export interface DirectoriesTable {
  id: string;
  name: string;
  issuer: string;
  client_id: string;
  /** The client secret sealed under the KEK (crypto/key_encryption.ts), bound to the id. */
  client_secret_sealed: string;
  created_at: number;
}

export interface DirectoryDomainsTable {
  domain: string;
  directory_id: string;
}

/** A work account's identity at its directory: (issuer, subject), never the email (SECURITY 48). */
export interface FederatedIdentitiesTable {
  issuer: string;
  subject: string;
  user_id: string;
  directory_id: string | null;
  created_at: number;
}

/** One upstream sign-in in flight (SECURITY 47). */
export interface DirectoryTransactionsTable {
  /** SHA-256 digest of the cookie value. */
  id: string;
  directory_id: string;
  issuer: string;
  state: string;
  nonce: string;
  code_verifier: string;
  interaction_id: string | null;
  created_at: number;
  expires_at: number;
  consumed_at: number | null;
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
  /** JSON array of registered post-logout redirect URIs (OIDC RP-Initiated Logout §3.1), matched the same way. */
  post_logout_redirect_uris: string;
  client_type: 'confidential' | 'public';
  scopes: string;
  owner_user_id: string | null;
  verified: number;
  created_at: number;
  updated_at: number;
  company_url: string | null;
  terms_url: string | null;
  privacy_url: string | null;
  /** Set when an organization owns the app instead of one person (its owners manage it). */
  owner_org_id: string | null;
  /** 1 when the app opted in to the device flow (RFC 8628, issue 17). */
  device_flow: number;
  /** 1 when the app's authorization requests must be pushed (RFC 9126 §6, issue 18). */
  require_par: number;
  /** 1 when the app takes only DPoP-bound tokens (RFC 9449 §5.2, issue 18). */
  dpop_bound_access_tokens: number;
  /** 1 for a single-page app: a public client that runs in a browser (issue 18, draft-ietf-oauth-browser-based-apps). */
  spa: number;
  /** OpenID Connect Back-Channel Logout 1.0 §2.2 (issue 19): where logout tokens are POSTed; null = none. */
  backchannel_logout_uri: string | null;
  /** 1 when the app asked for `sid` in its logout tokens (§2.2); Tessera sends it always. */
  backchannel_logout_session_required: number;
  /** RFC 8935 push endpoint for its security events (issue 19, SSF/CAEP); null = none. */
  ssf_endpoint_url: string | null;
}

/** One device authorization request (RFC 8628 §3.1, issue 17); credentials only as SHA-256 digests. */
export interface DeviceAuthorizationsTable {
  /** Digest of the device_code. */
  id: string;
  user_code_digest: string;
  app_id: string;
  scopes: string;
  requester_ip: string;
  requester_user_agent: string | null;
  created_at: number;
  expires_at: number;
  /** Seconds the client must wait between polls; grows by 5 at each slow_down (§3.5). */
  poll_interval: number;
  last_polled_at: number | null;
  status: 'pending' | 'approved' | 'denied' | 'redeemed';
  user_id: string | null;
  grant_id: string | null;
  family_id: string | null;
  auth_time: number | null;
  /** Space-separated. */
  amr: string | null;
  decided_at: number | null;
}

/** Errors answered to an app, per UTC day (YYYY-MM-DD) and error code (the portal's usage panel). */
export interface AppErrorCountsTable {
  app_id: string;
  day: string;
  code: string;
  count: number;
}

/** DCR tokens (RFC 7591 initial access, RFC 7592 registration access), stored as SHA-256 digests. */
export interface RegistrationTokensTable {
  id: string;
  kind: 'initial' | 'access';
  app_id: string | null;
  created_at: number;
  expires_at: number | null;
  used_at: number | null;
}

/** An app's uploaded logo (PNG or JPEG), base64. */
export interface AppLogosTable {
  app_id: string;
  content_type: string;
  data: string;
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
  org_ids: string | null;
}

export interface GrantNarrowingsTable {
  grant_id: string;
  scopes: string;
  org_ids: string | null;
  narrowed_at: number;
  expires_at: number;
}

/** Access tokens issued per UTC day (jobs/usage_recorder.ts); 202612071420. */
export interface TokenCountsTable {
  day: string;
  count: number;
}

export interface GrantActivityTable {
  grant_id: string;
  day: string;
  calls: number;
}

/** A grant's calls per UTC day and kind of call (jobs/usage_recorder.ts); 202612080200. */
export interface GrantCallKindsTable {
  grant_id: string;
  day: string;
  method: string;
  /** The route's pattern (`/api/v1/orgs/:org/projects`), or '' for a path no route matched. */
  route: string;
  /** The organization's slug as called, or '' (no organization, or the call was refused). */
  org: string;
  calls: number;
  refused: number;
  last_at: number;
}

export interface GrantActionsTable {
  id: string;
  grant_id: string;
  at: number;
  method: string;
  route: string;
  status: number;
  ip: string | null;
}

/** A pushed authorization request (RFC 9126, issue 18); the request_uri only as its SHA-256 digest. */
export interface PushedRequestsTable {
  /** Digest of the request_uri. */
  id: string;
  app_id: string;
  /** JSON object: the authorization request parameters as pushed. */
  params: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
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
  /** When the person passed the unverified-service warning (issue 20); null until then. */
  warned_at: number | null;
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
  /** RFC 9449 §10: the JWK thumbprint `dpop_jkt` bound the code to, or null. */
  dpop_jkt: string | null;
  /** The sid of the session the code was issued in (Back-Channel Logout §2.4), for its ID token; 202612071300. */
  sid: string | null;
}

/** Apps a person signed in to during a session (Back-Channel Logout §2.5, issue 19); 202612071300. */
export interface SessionAppsTable {
  /** The session's id (the cookie's digest). */
  session_id: string;
  app_id: string;
  user_id: string;
  /** The session's sid as this app saw it (crypto/session_ids.ts). */
  sid: string;
  created_at: number;
}

/** Requests Tessera sends on its own (issue 19): written with their change, sent by jobs/outbound_sender.ts; 202612071300. */
export interface OutboundDeliveriesTable {
  id: string;
  /** 'backchannel_logout'. */
  kind: string;
  app_id: string;
  user_id: string | null;
  url: string;
  /** JSON of the claims to sign at send time; never a token or a secret. */
  payload: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  next_attempt_at: number;
  lease_owner: string | null;
  lease_until: number | null;
  last_error: string | null;
  /** The receiver's last HTTP status, if it answered. */
  last_status: number | null;
  created_at: number;
  /** No attempt starts after this (a logout a day late helps nobody). */
  give_up_at: number;
  sent_at: number | null;
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
  /** RFC 9449 §5: a public client's refresh token is bound to this JWK thumbprint; null = unbound. */
  dpop_jkt: string | null;
  /** The sid of the session the family's code was issued in, for each refreshed ID token (OIDC Core §12.2); null = none. 202612071405. */
  sid: string | null;
}

/** Accepted DPoP proofs (RFC 9449 §11.1), kept until their `iat` leaves the window: a replay is refused on every node. */
export interface DpopProofsTable {
  /** SHA-256 of the key thumbprint and the proof's `jti`. */
  id: string;
  expires_at: number;
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

/** An app an operator suspended, or once suspended (issue 21, caches/suspended_apps.ts). */
export interface AppSuspensionsTable {
  app_id: string;
  suspended_at: number;
  reason: string;
  /** Null while suspended. */
  lifted_at: number | null;
  changed_at: number;
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

/** Messages to send, written with the change that causes them (jobs/mail_sender.ts); 202612071000. */
export interface MailOutboxTable {
  id: string;
  kind: string;
  to_address: string;
  user_id: string | null;
  /** JSON the message is rendered from; never a secret. */
  data: string;
  status: 'pending' | 'sent' | 'failed';
  attempts: number;
  next_attempt_at: number;
  lease_owner: string | null;
  lease_until: number | null;
  last_error: string | null;
  created_at: number;
  sent_at: number | null;
}

/** Single-use links mailed to a person (verify, reset, change of address); 202612071000. */
export interface AccountLinksTable {
  id: string;
  user_id: string;
  purpose: 'verify_email' | 'reset_password' | 'change_email';
  email: string;
  stamp: string | null;
  created_at: number;
  expires_at: number;
  used_at: number | null;
  /** A sign-up's verification link: digest of the signing-up browser's cookie value (202612080140). */
  browser_digest: string | null;
  /** A sign-up's verification link: the pending authorization it started from (202612080140). */
  interaction_id: string | null;
}

/** Browsers that signed in to an account (device recognition, domain/known_browsers.ts); 202612071120. */
export interface KnownBrowsersTable {
  user_id: string;
  /** SHA-256 over the account id and the browser's cookie id; never the id itself. */
  browser_digest: string;
  first_seen_at: number;
  last_seen_at: number;
}

/** SQLite's change feed (persistence/change_feed.ts): announcements for other processes, a minute's worth. */
export interface ChangesTable {
  id: Generated<number>;
  /** The publishing process's feed, so it skips its own rows. */
  origin: string;
  /** A ChangeEvent as JSON. */
  event: string;
  created_at: number;
}

/** An organization's third-party policy: 'allow' (the default, when no row), 'approved' or 'deny'. */
export interface OrgPoliciesTable {
  org_id: string;
  third_party: string;
  /** 1: services act for a member only once the member has a second factor (issue 16); default 0. */
  require_second_factor: Generated<number>;
  /** 1: the owners turned the device flow off here (issue 17); default 0. */
  device_flow_off: Generated<number>;
  updated_at: number;
}

/** One app's standing in one organization: 'approved' by the owners, or 'blocked' (cut off). */
export interface OrgAppRulesTable {
  org_id: string;
  app_id: string;
  rule: string;
  updated_at: number;
}

export interface FormerMembershipsTable {
  org_id: string;
  user_id: string;
  left_at: number;
}

export interface ProjectsTable {
  id: string;
  org_id: string;
  key: string;
  name: string;
  description: string;
  /** The number the next work item of this project gets. */
  next_item: number;
  created_at: number;
}

export interface WorkItemsTable {
  project_id: string;
  number: number;
  title: string;
  type: string;
  state: string;
  assignee_id: string | null;
  description: string;
  revision: number;
  created_by: string;
  created_at: number;
  updated_at: number;
}

export interface WorkItemCommentsTable {
  id: string;
  project_id: string;
  number: number;
  author_id: string;
  body: string;
  created_at: number;
}

export interface UserTotpTable {
  user_id: string;
  /** The RFC 6238 secret, AES-256-GCM sealed; it must be used, not only verified. */
  secret_sealed: string;
  created_at: number;
  /** Null while the person has not confirmed a first code. */
  enabled_at: number | null;
  /** The last time step accepted: a code is good once (RFC 6238 §5.2). */
  last_step: number | null;
}

export interface RecoveryCodesTable {
  /** SHA-256 digest of the code. */
  id: string;
  user_id: string;
  created_at: number;
  used_at: number | null;
}

/** Wrong second-factor codes of one person in the current window (issue 13). */
export interface SecondFactorFailuresTable {
  user_id: string;
  failures: number;
  window_started_at: number;
}

/** A passkey (WebAuthn credential) of an account; 202612071140. */
export interface PasskeysTable {
  /** The credential id, base64url. */
  id: string;
  user_id: string;
  /** The WebAuthn user.id the credential was made for, base64url. */
  user_handle: string;
  /** COSE public key, base64url. */
  public_key: string;
  counter: number;
  /** JSON list of transports. */
  transports: string;
  backup_eligible: number;
  backed_up: number;
  name: string;
  aaguid: string | null;
  created_at: number;
  last_used_at: number | null;
}

/** A challenge handed out for one passkey ceremony, taken once; 202612071140. */
export interface PasskeyChallengesTable {
  /** SHA-256 digest of the challenge. */
  id: string;
  purpose: string;
  user_id: string | null;
  pending_id: string | null;
  /** JSON the ceremony needs afterwards, or null. */
  data: string | null;
  created_at: number;
  expires_at: number;
}

export interface PendingSignInsTable {
  /** SHA-256 digest of the cookie value. */
  id: string;
  user_id: string;
  interaction_id: string | null;
  attempts: number;
  created_at: number;
  expires_at: number;
  consumed_at: number | null;
  /** Where the sign-in goes on: a path on Tessera's own origin (issue 13), or null. */
  return_to: string | null;
}

export interface RepositoriesTable {
  id: string;
  org_id: string;
  name: string;
  default_branch: string;
  created_at: number;
}

/** Content-addressed: `id` is the SHA-256 (base64url) of the UTF-8 content. */
export interface BlobsTable {
  id: string;
  size: number;
  content: string;
}

export interface CommitsTable {
  id: string;
  repo_id: string;
  parent_id: string | null;
  /** JSON object: path → blob id, the whole tree at this commit. */
  tree: string;
  message: string;
  author_id: string;
  created_at: number;
}

export interface BranchesTable {
  repo_id: string;
  name: string;
  commit_id: string;
}

/** A build definition: `steps` is the JSON array of declarative steps (domain/builds.ts). */
export interface BuildDefinitionsTable {
  id: string;
  project_id: string;
  name: string;
  repo_id: string;
  branch: string;
  steps: string;
  created_by: string;
  created_at: number;
}

/** The number the next build of a project gets. */
export interface BuildSequencesTable {
  project_id: string;
  next_number: number;
}

export interface BuildsTable {
  id: string;
  project_id: string;
  number: number;
  definition_id: string;
  status: string;
  branch: string;
  commit_id: string;
  queued_by: string;
  queued_at: number;
  started_at: number | null;
  finished_at: number | null;
  /** The node running it, while `running`; its claim ends at lease_expires_at unless renewed. */
  runner_id: string | null;
  lease_expires_at: number | null;
  attempts: number;
  result: string | null;
}

export interface BuildLogLinesTable {
  build_id: string;
  attempt: number;
  seq: number;
  at: number;
  text: string;
}

/** A member's request that the owners approve a service in their organization (issue 6). */
export interface OrgAppRequestsTable {
  id: string;
  org_id: string;
  app_id: string;
  user_id: string;
  /** 'pending', 'approved' or 'denied'; one pending per (org, app, user). */
  status: string;
  created_at: number;
  decided_at: number | null;
  decided_by: string | null;
}

/** An owner's offer of a membership to an email address (not yet a proven account); 202612070801. */
export interface OrgInvitationsTable {
  id: string;
  org_id: string;
  /** Normalized (domain/users.ts normalizeEmail). */
  email: string;
  role: string;
  /** 'pending', 'accepted', 'declined' or 'cancelled'; a pending row past `expires_at` is expired. */
  status: string;
  invited_by: string | null;
  created_at: number;
  expires_at: number;
  decided_at: number | null;
  decided_by: string | null;
}

export interface Database {
  users: UsersTable;
  directories: DirectoriesTable;
  directory_domains: DirectoryDomainsTable;
  federated_identities: FederatedIdentitiesTable;
  directory_transactions: DirectoryTransactionsTable;
  user_totp: UserTotpTable;
  recovery_codes: RecoveryCodesTable;
  pending_sign_ins: PendingSignInsTable;
  passkeys: PasskeysTable;
  passkey_challenges: PasskeyChallengesTable;
  second_factor_failures: SecondFactorFailuresTable;
  sessions: SessionsTable;
  organizations: OrganizationsTable;
  memberships: MembershipsTable;
  apps: AppsTable;
  device_authorizations: DeviceAuthorizationsTable;
  dpop_proofs: DpopProofsTable;
  app_secrets: AppSecretsTable;
  app_logos: AppLogosTable;
  app_error_counts: AppErrorCountsTable;
  registration_tokens: RegistrationTokensTable;
  grants: GrantsTable;
  grant_narrowings: GrantNarrowingsTable;
  grant_activity: GrantActivityTable;
  token_counts: TokenCountsTable;
  grant_actions: GrantActionsTable;
  grant_call_kinds: GrantCallKindsTable;
  interactions: InteractionsTable;
  pushed_requests: PushedRequestsTable;
  authorization_codes: AuthorizationCodesTable;
  refresh_tokens: RefreshTokensTable;
  revocations: RevocationsTable;
  app_suspensions: AppSuspensionsTable;
  signing_keys: SigningKeysTable;
  audit_events: AuditEventsTable;
  changes: ChangesTable;
  mail_outbox: MailOutboxTable;
  session_apps: SessionAppsTable;
  outbound_deliveries: OutboundDeliveriesTable;
  account_links: AccountLinksTable;
  known_browsers: KnownBrowsersTable;
  org_policies: OrgPoliciesTable;
  org_app_rules: OrgAppRulesTable;
  org_app_requests: OrgAppRequestsTable;
  org_invitations: OrgInvitationsTable;
  former_memberships: FormerMembershipsTable;
  projects: ProjectsTable;
  work_items: WorkItemsTable;
  work_item_comments: WorkItemCommentsTable;
  repositories: RepositoriesTable;
  blobs: BlobsTable;
  commits: CommitsTable;
  branches: BranchesTable;
  build_definitions: BuildDefinitionsTable;
  build_sequences: BuildSequencesTable;
  builds: BuildsTable;
  build_log_lines: BuildLogLinesTable;
}
