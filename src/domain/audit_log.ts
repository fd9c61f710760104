/**
 * The audit log as operators read it (`tessera audit list`, the console's Audit log page): every
 * event, filtered, newest first, in pages continued after the last row shown (keyset pagination:
 * a page deep in a long log costs what the first does, and an event written meanwhile neither
 * repeats nor hides one).
 * @module
 */

/** A row's place in the order (at desc, id desc): the next page holds the rows strictly after it. */
export interface AuditKey {
  at: number;
  id: number;
}

/** Who acted, as operators' actions record it (domain/audit.ts `actorDetail`). */
export type AuditActor = { operatorId: string } | { via: 'cli' };

export interface AuditQuery {
  userId?: string;
  /** Only events about this app (client_id). */
  appId?: string;
  /** An exact type (`grant.revoked`), or a prefix ending in `.` (`grant.`) for a whole entity. */
  type?: string;
  /** Epoch seconds; events at or after it. */
  since?: number;
  /** Epoch seconds; events at or before it. */
  until?: number;
  /** Only the actions of this operator (`detail.actor`), or of the CLI (`detail.via`). */
  actor?: AuditActor;
  /** The last row of the previous page. */
  after?: AuditKey;
  limit: number;
}

export interface AuditLogEntry {
  id: number;
  at: number;
  type: string;
  userId: string | null;
  /** The person's email now, when the event names a person who still exists. */
  userEmail: string | null;
  appId: string | null;
  ip: string | null;
  detail: Record<string, unknown>;
}

export interface AuditLog {
  list(query: AuditQuery): Promise<AuditLogEntry[]>;
}

/** One event as `tessera audit list --json` and the console's export write it. */
export function auditJson(e: AuditLogEntry) {
  return { id: e.id, at: new Date(e.at * 1000).toISOString(), type: e.type, user_id: e.userId, user_email: e.userEmail, app_id: e.appId, ip: e.ip, detail: e.detail };
}
