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
 * @module
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.ts';
import type { OutboundConfig } from '../config/config.ts';
import type { Metrics } from '../ops/metrics.ts';
import type { KeyManager } from '../crypto/key_manager.ts';
import type { OutboundDelivery, OutboundDeliveryStore } from '../domain/outbound_deliveries.ts';
import { signLogoutToken } from '../crypto/jwt.ts';
import { LeasedSender, retryDelay } from './leased_sender.ts';
import { OutboundRefusedError, postForm } from './outbound/post.ts';

/** Longer than any one delivery can take (connect + total timeouts are at most two minutes). */
const LEASE_SECONDS = 180;
/** §2.4: a logout token is short-lived; receivers allow some clock skew on top. */
const LOGOUT_TOKEN_SECONDS = 120;
const EVENT = 'http://schemas.openid.net/event/backchannel-logout';

/** Receiver answers that mean "this token, never": failed at once. */
function permanentStatus(status: number): boolean {
  return status >= 400 && status < 500 && status !== 408 && status !== 425 && status !== 429;
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

  private token(delivery: OutboundDelivery, now: number): string {
    const { aud, sub, sid } = delivery.payload;
    return signLogoutToken(this.keys.keys, { iss: this.options.issuer, aud, iat: now, exp: now + LOGOUT_TOKEN_SECONDS, jti: delivery.id, sub, sid, events: { [EVENT]: {} } });
  }

  private async deliver(delivery: OutboundDelivery, owner: string): Promise<void> {
    const now = this.clock.now();
    const base = { type: '', userId: delivery.userId, appId: delivery.appId, ip: null };
    const detail = { delivery: delivery.id, url: delivery.url, attempts: delivery.attempts };
    let status: number | null = null;
    let error: string;
    let permanent = false;
    if (now >= delivery.giveUpAt) {
      error = 'given up: the delivery window ended';
      permanent = true;
    } else {
      try {
        const answer = await postForm(delivery.url, { logout_token: this.token(delivery, now) }, this.options);
        status = answer.status;
        if (status >= 200 && status < 300) {
          await this.store.markDelivered(delivery.id, owner, status, this.clock.now(), { ...base, type: 'backchannel_logout.delivered', detail: { ...detail, status } });
          this.metrics.outboundDeliveries.inc({ kind: delivery.kind, outcome: 'delivered' });
          this.log.info({ delivery: delivery.id, app: delivery.appId, status, attempts: delivery.attempts }, 'back-channel logout delivered');
          return;
        }
        error = `answered ${status}${status >= 300 && status < 400 ? ' (redirects are not followed)' : ''}`;
        permanent = permanentStatus(status);
      } catch (err) {
        error = err instanceof Error ? err.message : String(err);
        permanent = err instanceof OutboundRefusedError;
      }
    }
    const last = permanent || delivery.attempts >= this.options.maxAttempts;
    const retryAt = last ? null : Math.min(delivery.giveUpAt, this.clock.now() + retryDelay(this.options.retrySeconds, delivery.attempts));
    await this.store.markFailed(delivery.id, owner, { error, status }, retryAt, this.clock.now(), { ...base, type: 'backchannel_logout.failed', detail: { ...detail, error, status } });
    this.metrics.outboundDeliveries.inc({ kind: delivery.kind, outcome: last ? 'failed' : 'retry' });
    this.log.warn({ delivery: delivery.id, app: delivery.appId, attempts: delivery.attempts, error, status, retryAt }, last ? 'back-channel logout failed for good' : 'back-channel logout not delivered; will retry');
  }
}
