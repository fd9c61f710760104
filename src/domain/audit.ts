/** Security-relevant events, named `<entity>.<past_verb>` (e.g. `grant.revoked`). */
export interface AuditEvent {
  type: string;
  userId?: string | null;
  appId?: string | null;
  ip?: string | null;
  detail?: Record<string, unknown>;
  /**
   * The browser's User-Agent, when a person's browser caused the event. Not kept in the log; a
   * security notice written with the event names the browser (domain/notices.ts).
   */
  userAgent?: string | null;
}

export interface AuditStore {
  record(event: AuditEvent, now: number): Promise<void>;
  /** The person's most recent events of the given types, newest first. */
  listForUser(userId: string, types: readonly string[], limit: number): Promise<RecordedAuditEvent[]>;
}

export interface RecordedAuditEvent {
  at: number;
  type: string;
  ip: string | null;
  detail: Record<string, unknown>;
}
