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

/**
 * Who did an operator's action (issue 21): the CLI, or a platform operator in the console under
 * /admin (`userId`: the operator). Recorded with the action's event (`actorDetail`).
 */
export interface Actor {
  via: 'cli' | 'admin';
  userId?: string | null;
}

/**
 * The event detail naming who acted: `via`, and the operator's id as `actor` when one acted. A
 * plain string is an older caller's `via` alone (tests, the accounts service's own callers).
 */
export function actorDetail(actor: Actor | string): { via: string; actor?: string } {
  if (typeof actor === 'string') return { via: actor };
  return actor.userId ? { via: actor.via, actor: actor.userId } : { via: actor.via };
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
