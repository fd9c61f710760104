/**
 * Security events to services (issue 19, second part): the OpenID Continuous Access Evaluation
 * Profile (CAEP 1.0) events Tessera pushes to an app that registered an `ssf_endpoint_url`, as
 * Security Event Tokens (RFC 8417) over RFC 8935 push, on the rails of back-channel logout
 * (domain/outbound_deliveries.ts, kind `security_event`).
 *
 * - A grant revoked, whoever did it: `session-revoked` (CAEP §3.1). The grant is the service's
 *   session with Tessera: its refresh tokens and access tokens are dead.
 * - A grant narrowed (scopes or organizations taken away), or an organization that cuts the app
 *   off: `token-claims-change` (CAEP §3.2), whose `claims` say what the grant allows now.
 *
 * Each event is written by the persistence layer in the transaction of the change
 * (stores/security_events.ts), so it commits or vanishes with the change.
 * @module
 */

/** CAEP §3.1: the session (here: the grant) is revoked. */
export const SESSION_REVOKED = 'https://schemas.openid.net/secevent/caep/event-type/session-revoked';
/** CAEP §3.2: claims of the tokens issued under the grant changed. */
export const TOKEN_CLAIMS_CHANGE = 'https://schemas.openid.net/secevent/caep/event-type/token-claims-change';

export type SecurityEventType = typeof SESSION_REVOKED | typeof TOKEN_CLAIMS_CHANGE;
export const SECURITY_EVENT_TYPES: readonly SecurityEventType[] = [SESSION_REVOKED, TOKEN_CLAIMS_CHANGE];

/** CAEP §2 `initiating_entity`. */
export type InitiatingEntity = 'user' | 'admin' | 'policy' | 'system';

/** Who made the change and why (CAEP §2 `initiating_entity`, `reason_admin`). */
export interface EventCause {
  initiatingEntity: InitiatingEntity;
  /** CAEP §2 `reason_admin`: fixed text from the code, never user input. */
  reasonAdmin: string;
}

/**
 * `token-claims-change` claims (CAEP §3.2 `claims`): `scope` space-separated as in the tokens;
 * `orgs` the organization ids the grant still covers (absent: every organization the person
 * belongs to); `orgs_unreachable` (a Tessera claim) the organizations whose owners cut the app off,
 * which the app can no longer reach with this grant whatever `orgs` says.
 */
export interface GrantClaims {
  scope: string;
  orgs?: string[];
  orgs_unreachable?: string[];
}

/** What a security event delivery stores: everything of its SET that does not change between attempts. */
export interface SecurityEventPayload {
  /** The app's client_id (the SET's `aud`). */
  aud: string;
  /** The person's id (`sub_id.sub`, RFC 9493 `iss_sub`). */
  sub: string;
  event: SecurityEventType;
  /** CAEP §2 `event_timestamp`: when the change was made (seconds). */
  eventTimestamp: number;
  initiatingEntity: InitiatingEntity;
  reasonAdmin: string;
  /** Only with token-claims-change. */
  claims?: GrantClaims;
}

/** The causes named in one place, so the revoke paths say the same thing. */
export const CAUSES = {
  userRevoked: { initiatingEntity: 'user', reasonAdmin: 'The person revoked the service in Manage applications.' },
  userNarrowed: { initiatingEntity: 'user', reasonAdmin: 'The person took scopes or organizations away from the service.' },
  userReapprovedLess: { initiatingEntity: 'user', reasonAdmin: 'The person approved the service again with fewer scopes or organizations.' },
  refreshTokenReuse: { initiatingEntity: 'system', reasonAdmin: 'A refresh token was used twice; the grant was revoked as RFC 9700 §4.14 advises.' },
  clientRevoked: { initiatingEntity: 'system', reasonAdmin: 'The service revoked its own token at /revoke.' },
  appDeleted: { initiatingEntity: 'admin', reasonAdmin: 'The service was deleted by its owner.' },
  accountDisabled: { initiatingEntity: 'admin', reasonAdmin: "The person's account was disabled." },
  orgCutOff: { initiatingEntity: 'policy', reasonAdmin: "An organization's owners cut the service off from the organization." },
  orgPolicy: { initiatingEntity: 'policy', reasonAdmin: "An organization's owners changed its policy: the service may no longer act in it." },
  unspecified: { initiatingEntity: 'system', reasonAdmin: 'The grant was revoked.' },
} as const satisfies Record<string, EventCause>;
