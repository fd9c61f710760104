/**
 * Sends outbound deliveries (domain/outbound_deliveries.ts) in every server process, on the lease
 * loop shared with mail (jobs/leased_sender.ts). Each back-channel logout delivery is signed now
 * (OpenID Connect Back-Channel Logout 1.0 §2.4: `iat` now, `exp` two minutes on, `jti` the
 * delivery's id) with the current signing key and POSTed as `logout_token` (§2.5) by
 * jobs/outbound/post.ts, which applies the outbound rules again, connects to the address it
 * checked, follows no redirect and gives up after its timeouts.
 *
 * §2.8: a 200 (any 2xx) is delivered. A 4xx other than 408/425/429 is the receiver refusing this
 * token, so it is failed at once; anything else (no connection, a timeout, a 3xx, a 5xx) is tried
 * again after `retryDelay`, until `maxAttempts` or the delivery's `give_up_at`. A refused address
 * is failed at once. The outcome goes to the audit log (`backchannel_logout.delivered`,
 * `backchannel_logout.failed`), where `tessera audit list` shows it.
 *
 * A security event (issue 19, domain/security_events.ts) rides the same loop: signed now as an
 * RFC 8417 SET (`typ: secevent+jwt`, `jti` the delivery's id, `iat` now) and POSTed as
 * `application/secevent+jwt` (RFC 8935 §2). A 2xx (202 expected) is delivered; a 400 is the
 * receiver refusing this SET (§2.3), failed at once with its `err` code in the audit detail; the
 * rest as above. Audit: `security_event.delivered`, `security_event.failed`.
 * @module
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.ts';
import type { OutboundConfig } from '../config/config.ts';
import type { Metrics } from '../ops/metrics.ts';
import type { KeyManager } from '../crypto/key_manager.ts';
import type { OutboundDelivery, OutboundDeliveryStore } from '../domain/outbound_deliveries.ts';
import type { SecurityEventPayload } from '../domain/security_events.ts';
import { signLogoutToken, signSecurityEventToken } from '../crypto/jwt.ts';
import { LeasedSender, retryDelay } from './leased_sender.ts';
import { OutboundRefusedError, postForm, postSecurityEvent, type OutboundAnswer } from './outbound/post.ts';

/** Longer than any one delivery can take (connect + total timeouts are at most two minutes). */
const LEASE_SECONDS = 180;
/** §2.4: a logout token is short-lived; receivers allow some clock skew on top. */
const LOGOUT_TOKEN_SECONDS = 120;
const EVENT = 'http://schemas.openid.net/event/backchannel-logout';

/** Receiver answers that mean "this token, never": failed at once. */
function permanentStatus(status: number): boolean {
  return status >= 400 && status < 500 && status !== 408 && status !== 425 && status !== 429;
}

/** RFC 8935 §2.3 error code of a 400 answer, when it is one (a short token, never free text). */
function setErrorCode(body: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(body);
    const err = parsed && typeof parsed === 'object' ? (parsed as { err?: unknown }).err : undefined;
    return typeof err === 'string' && /^[a-z_]{1,40}$/.test(err) ? err : undefined;
  } catch {
    return undefined;
  }
}

export class OutboundSender {
  private readonly loop: LeasedSender<OutboundDelivery>;

  constructor(
    private readonly store: OutboundDeliveryStore,
    private readonly keys: Pick<KeyManager, 'keys'>,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly options: OutboundConfig & { issuer: string },
    private readonly metrics: Pick<Metrics, 'outboundDeliveries'>,
  ) {
    this.loop = new LeasedSender(store, clock, log, { name: 'outbound', pollMs: options.pollMs, leaseSeconds: LEASE_SECONDS }, (delivery, owner) => this.deliver(delivery, owner));
  }

  start(): void {
    this.loop.start();
  }

  /** Look now (this process just wrote deliveries); nothing unless started. */
  wake(): void {
    this.loop.wake();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** Signs the delivery's token now and POSTs it the way its kind asks. */
  private send(delivery: OutboundDelivery, now: number): Promise<OutboundAnswer> {
    if (delivery.kind === 'security_event') return postSecurityEvent(delivery.url, this.securityEvent(delivery.id, delivery.payload, now), this.options);
    const { aud, sub, sid } = delivery.payload;
    const token = signLogoutToken(this.keys.keys, { iss: this.options.issuer, aud, iat: now, exp: now + LOGOUT_TOKEN_SECONDS, jti: delivery.id, sub, sid, events: { [EVENT]: {} } });
    return postForm(delivery.url, { logout_token: token }, this.options);
  }

  /** RFC 8417 §2.2 with SSF 1.0 §3 `sub_id` and the CAEP §2 common claims in the event. */
  private securityEvent(id: string, payload: SecurityEventPayload, now: number): string {
    const { issuer } = this.options;
    const body = {
      event_timestamp: payload.eventTimestamp,
      initiating_entity: payload.initiatingEntity,
      reason_admin: { en: payload.reasonAdmin },
      ...(payload.claims ? { claims: payload.claims } : {}),
    };
    return signSecurityEventToken(this.keys.keys, { iss: issuer, aud: payload.aud, iat: now, jti: id, sub_id: { format: 'iss_sub', iss: issuer, sub: payload.sub }, events: { [payload.event]: body } });
  }

  private async deliver(delivery: OutboundDelivery, owner: string): Promise<void> {
    const now = this.clock.now();
    const base = { type: '', userId: delivery.userId, appId: delivery.appId, ip: null };
    const detail: Record<string, unknown> = { delivery: delivery.id, url: delivery.url, attempts: delivery.attempts, ...(delivery.kind === 'security_event' ? { event: delivery.payload.event } : {}) };
    const label = delivery.kind === 'security_event' ? 'security event' : 'back-channel logout';
    let status: number | null = null;
    let error: string;
    let permanent = false;
    if (now >= delivery.giveUpAt) {
      error = 'given up: the delivery window ended';
      permanent = true;
    } else {
      try {
        const answer = await this.send(delivery, now);
        status = answer.status;
        if (status >= 200 && status < 300) {
          await this.store.markDelivered(delivery.id, owner, status, this.clock.now(), { ...base, type: `${delivery.kind}.delivered`, detail: { ...detail, status } });
          this.metrics.outboundDeliveries.inc({ kind: delivery.kind, outcome: 'delivered' });
          this.log.info({ delivery: delivery.id, app: delivery.appId, status, attempts: delivery.attempts }, `${label} delivered`);
          return;
        }
        error = `answered ${status}${status >= 300 && status < 400 ? ' (redirects are not followed)' : ''}`;
        permanent = permanentStatus(status);
        // RFC 8935 §2.3: a 400 carries {"err": code, "description": text}; the code goes to the audit.
        const err = delivery.kind === 'security_event' && status === 400 ? setErrorCode(answer.body) : undefined;
        if (err !== undefined) detail.err = err;
      } catch (err) {
        error = err instanceof Error ? err.message : String(err);
        permanent = err instanceof OutboundRefusedError;
      }
    }
    const last = permanent || delivery.attempts >= this.options.maxAttempts;
    const retryAt = last ? null : Math.min(delivery.giveUpAt, this.clock.now() + retryDelay(this.options.retrySeconds, delivery.attempts));
    await this.store.markFailed(delivery.id, owner, { error, status }, retryAt, this.clock.now(), { ...base, type: `${delivery.kind}.failed`, detail: { ...detail, error, status } });
    this.metrics.outboundDeliveries.inc({ kind: delivery.kind, outcome: last ? 'failed' : 'retry' });
    this.log.warn({ delivery: delivery.id, app: delivery.appId, attempts: delivery.attempts, error, status, retryAt }, last ? `${label} failed for good` : `${label} not delivered; will retry`);
  }
}
