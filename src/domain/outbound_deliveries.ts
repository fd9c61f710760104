/**
 * Requests Tessera sends on its own (issue 19): a back-channel logout token (OpenID Connect
 * Back-Channel Logout 1.0 §2.5) or a security event (RFC 8935 push of an RFC 8417 SET,
 * domain/security_events.ts). A delivery is written in the
 * transaction of the change that causes it (a session ending), then sent by jobs/outbound_sender.ts
 * in every server, under the same lease loop as mail (jobs/leased_sender.ts): a crash after the
 * commit loses nothing, and a receiver that is down or hangs delays its own delivery and nothing else.
 *
 * What is stored is the claims to sign, never a token: the token is signed at each attempt, so its
 * `exp` is short however late the attempt, and a copy of the table signs nothing. The `jti` is the
 * delivery's id, the same at every attempt, so a receiver can drop a repeat (at least once).
 * @module
 */
import type { AuditEvent } from './audit.ts';
import type { SecurityEventPayload } from './security_events.ts';

export type DeliveryKind = 'backchannel_logout' | 'security_event';

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

/** Claims of a logout token that do not change between attempts (§2.4). */
export interface LogoutPayload {
  /** The app's client_id. */
  aud: string;
  /** The person's id, as in their ID tokens. */
  sub: string;
  /** The session's sid, as in the ID tokens of that session. */
  sid: string;
}

export type DeliveryPayload = LogoutPayload | SecurityEventPayload;

/** The kind says what the payload is. */
export type KindAndPayload = { kind: 'backchannel_logout'; payload: LogoutPayload } | { kind: 'security_event'; payload: SecurityEventPayload };

export type OutboundDelivery = KindAndPayload & DeliveryState;

interface DeliveryState {
  id: string;
  appId: string;
  userId: string | null;
  url: string;
  status: DeliveryStatus;
  /** Attempts started so far. */
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
  lastStatus: number | null;
  createdAt: number;
  giveUpAt: number;
  sentAt: number | null;
}

/** No attempt starts more than an hour after the change: a logout or an event that late helps nobody. */
export const DELIVERY_WINDOW_SECONDS = 3600;

export interface OutboundDeliveryStore {
  /** Takes up to `limit` due deliveries for `owner` under a lease, counting an attempt on each. */
  claim(owner: string, now: number, leaseSeconds: number, limit: number): Promise<OutboundDelivery[]>;
  /** The receiver took it; `event` (the audit record) is written in the same transaction. */
  markDelivered(id: string, owner: string, status: number, now: number, event: AuditEvent): Promise<void>;
  /** Not taken: tried again at `retryAt`; or, when null, `failed` for good, with `event` written in the same transaction. */
  markFailed(id: string, owner: string, failure: { error: string; status: number | null }, retryAt: number | null, now: number, event: AuditEvent): Promise<void>;
  release(ids: readonly string[], owner: string): Promise<void>;
  list(filter: { status?: DeliveryStatus; appId?: string; limit: number }): Promise<OutboundDelivery[]>;
}
