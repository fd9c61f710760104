/** Security-relevant events, named `<entity>.<past_verb>` (e.g. `grant.revoked`). */
export interface AuditEvent {
  type: string;
  userId?: string | null;
  appId?: string | null;
  ip?: string | null;
  detail?: Record<string, unknown>;
}

export interface AuditStore {
  record(event: AuditEvent, now: number): Promise<void>;
}
