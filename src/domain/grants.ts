import type { ApprovalTerms } from './approval.ts';
import type { AuditEvent } from './audit.ts';
import type { EventCause } from './security_events.ts';

/**
 * A grant is one person's authorization of one app: the scopes approved, the organizations it
 * covers, when, and when last used. It is the unit of revocation: revoking it ends its codes,
 * refresh tokens and access tokens.
 */
export interface Grant {
  id: string;
  userId: string;
  appId: string;
  scopes: string[];
  /** Organization ids the person kept; null means every organization they belong to, now and later. */
  orgIds: string[] | null;
  createdAt: number;
  updatedAt: number;
  lastUsedAt: number | null;
  lastUsedIp: string | null;
  /** Chosen by the person on the approval page (30 or 7 days); null until revoked. */
  expiresAt: number | null;
}

/** What a grant still allows after its person took something away ("Manage applications"). */
export interface Narrowing {
  grantId: string;
  scopes: string[];
  orgIds: string[] | null;
  /** Access tokens issued at or before this moment carry more than the grant now allows. */
  narrowedAt: number;
  /** After it, no access token issued before the narrowing is still valid. */
  expiresAt: number;
}

/** A grant as an approval left it. */
export interface Approval extends Grant {
  /**
   * True when the approval took scopes or organizations away from the live grant it extended; the
   * store decides it against the row it replaced and records the narrowing in the same transaction.
   */
  narrowed: boolean;
}

export interface GrantStore {
  findLive(userId: string, appId: string, now: number): Promise<Grant | undefined>;
  /** A grant that is not revoked (it may have expired). */
  findById(id: string): Promise<Grant | undefined>;
  /** The person's grants that are neither revoked nor expired, most recently approved first. */
  listLive(userId: string, now: number): Promise<Grant[]>;
  /**
   * Creates the person's grant for the app, or extends the live one with `scopes`, as
   * `grantAfter` (domain/approval.ts) says, applied in one transaction to the row as it is then:
   * `terms` (absent: every dimension kept) may withdraw scopes and set organizations and an end,
   * and `'keep'` leaves a dimension exactly as stored. Scopes or organizations taken away are
   * recorded as a narrowing, so the tokens in hand shrink too, and reported as `narrowed`;
   * `narrowingUntil` is when such a record lapses. `event`, when given, is recorded in the same
   * transaction as the grant, so no approval exists without its audit event.
   */
  approve(userId: string, appId: string, scopes: string[], now: number, terms?: ApprovalTerms & { narrowingUntil: number }, event?: AuditEvent): Promise<Approval>;
  /**
   * Keeps of the live grant only what lies within `scopes` and `orgIds` (null: no limit on
   * organizations), applied to the row as it is then (it never adds what a concurrent approval
   * took away), and records the narrowing, in one transaction. False when the grant is not the
   * person's or not live. Something taken away queues the app's CAEP `token-claims-change` event
   * in the same transaction (as `approve` does when it narrows).
   */
  narrow(grantId: string, userId: string, scopes: string[], orgIds: string[] | null, now: number, narrowingUntil: number): Promise<boolean>;
  /**
   * Adds organizations to the person's live grant (`adding_organizations`, domain/approval.ts) and
   * records `event` with it; false when the grant is no longer live (revoked or ended meanwhile:
   * it is never brought back). A narrowing of the grant still in force is rewritten in the same
   * transaction to what the grant allows now, dated now, and returned as `narrowing` so the caller
   * tells every node: without it, a token issued within the narrowing's second (after the
   * organization was added back) would still be cut down to the narrowing (revocation_cache.ts).
   */
  addOrganizations(grantId: string, userId: string, orgIds: string[], now: number, event: AuditEvent): Promise<false | { narrowing: Narrowing | undefined }>;
  /** Narrowings recorded at or after `since` and still in force at `now`. */
  listNarrowingsSince(since: number, now: number): Promise<Narrowing[]>;
  /**
   * Revokes the grant and, in the same transaction, its codes and refresh tokens, records the
   * revocation for the access-token denylist, and queues the app's CAEP `session-revoked` event
   * with `cause` (domain/security_events.ts; absent: system, unspecified). Returns false when it
   * was not live.
   */
  revoke(grantId: string, now: number, denylistUntil: number, cause?: EventCause): Promise<boolean>;
  touch(grantId: string, now: number, ip: string | null): Promise<void>;
}

/** The stored form of a grant's organizations: space-separated ids, or NULL for every organization. */
export function parseOrgIds(value: string | null): string[] | null {
  return value === null ? null : value.split(' ').filter(Boolean);
}
