/** The audit log as operators read it (`tessera audit list`): every event, filtered, newest first. */

export interface AuditQuery {
  userId?: string;
  /** Only events about this app (client_id). */
  appId?: string;
  /** An exact type (`grant.revoked`), or a prefix ending in `.` (`grant.`) for a whole entity. */
  type?: string;
  /** Epoch seconds; events at or after it. */
  since?: number;
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
