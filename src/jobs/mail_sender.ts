/**
 * Delivers the outbox (domain/mail.ts), in every server process. Each poll takes a few due
 * messages under a lease (persistence/stores/outbox.ts: one sender per message on any number of
 * nodes), renders each (mail/messages.ts) and hands it to the transport. A message that fails is
 * tried again after `retrySeconds`, doubling up to an hour, and marked `failed` after
 * `maxAttempts`, or at once when the mail server refuses it for good (SMTP 5xx); `tessera mail
 * retry` sends failed mail again.
 *
 * Delivery is at least once: a process killed after the server accepted a message but before it
 * was marked sent sends it again when the lease ends. Nothing waits for this loop: a mail server
 * that is down delays mail, never a sign-in, an approval or the API.
 * @module
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.ts';
import type { MailConfig } from '../config/config.ts';
import type { Metrics } from '../ops/metrics.ts';
import { isLinkMail, type OutboxMessage, type OutboxStore } from '../domain/mail.ts';
import { randomId } from '../crypto/random.ts';
import { linkValue } from '../crypto/account_links.ts';
import { renderMail } from '../mail/messages.ts';
import { LINK_PATHS, absolute } from '../mail/links.ts';
import { PermanentDeliveryError, type MailTransport } from '../mail/transport.ts';

/** A lease longer than any one delivery can take (the transport's timeouts are 10–30 s). */
const LEASE_SECONDS = 120;
/** Messages taken per poll. */
const BATCH = 10;
const MAX_DELAY_SECONDS = 3600;
/** How long a stopping sender waits for the delivery in flight. */
const STOP_WAIT_MS = 2000;

export interface MailSenderOptions extends Pick<MailConfig, 'pollMs' | 'retrySeconds' | 'maxAttempts'> {
  issuer: string;
  /** Makes link values (crypto/derived_keys.ts accountLinkKey). */
  linkKey: Buffer;
}

/** Seconds before attempt `attempts + 1`: retrySeconds, doubling, at most an hour. */
export function retryDelay(retrySeconds: number, attempts: number): number {
  return Math.min(MAX_DELAY_SECONDS, retrySeconds * 2 ** Math.max(0, attempts - 1));
}

export class MailSender {
  /** This process's sender id, written on the messages it takes. */
  readonly id = randomId();
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private again = false;
  private stopping = false;
  /** Taken in this pass and not yet tried; `stop()` gives them back. */
  private readonly waiting: OutboxMessage[] = [];

  constructor(
    private readonly outbox: OutboxStore,
    private readonly transport: MailTransport,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly options: MailSenderOptions,
    private readonly metrics: Pick<Metrics, 'mailDeliveries'>,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.wake(), this.options.pollMs);
    this.timer.unref();
    this.wake();
  }

  /** Look for mail now (this process just wrote some); nothing unless started. */
  wake(): void {
    if (!this.timer || this.stopping) return;
    if (this.ticking) {
      this.again = true;
      return;
    }
    this.ticking = this.tick()
      .catch((err: unknown) => this.log.warn({ err }, 'mail: looking for mail to send failed; will retry'))
      .finally(() => {
        this.ticking = undefined;
        if (this.again) {
          this.again = false;
          this.wake();
        }
      });
  }

  /**
   * Sends nothing more. Messages taken but not started go back at once for another node; the
   * delivery in flight gets STOP_WAIT_MS to finish, so a mail server that hangs cannot hold a
   * shutdown past the process's grace period. One cut short is sent again when its lease ends.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    const untried = this.waiting.splice(0);
    await this.outbox.release(untried.map((m) => m.id), this.id).catch((err: unknown) => this.log.warn({ err }, 'mail: giving back untried messages failed; their lease will end'));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.ticking, new Promise<void>((resolve) => (timer = setTimeout(resolve, STOP_WAIT_MS)))]);
    clearTimeout(timer);
    this.transport.close();
  }

  /** One pass: takes due messages until none are left (or the process stops). */
  private async tick(): Promise<void> {
    while (!this.stopping) {
      const taken = await this.outbox.claim(this.id, this.clock.now(), LEASE_SECONDS, BATCH);
      // Stopped while claiming: give them back rather than start.
      if (this.stopping) return this.outbox.release(taken.map((m) => m.id), this.id);
      this.waiting.push(...taken);
      for (let message = this.waiting.shift(); message; message = this.waiting.shift()) await this.deliver(message);
      if (taken.length < BATCH) return;
    }
  }

  private async deliver(message: OutboxMessage): Promise<void> {
    try {
      const link = isLinkMail(message) ? absolute(this.options.issuer, LINK_PATHS[message.kind], { link: linkValue(this.options.linkKey, message.kind, message.data.linkId) }) : undefined;
      const rendered = renderMail(message, { issuer: this.options.issuer, ...(link ? { link } : {}) });
      await this.transport.send({ id: message.id, to: message.to, ...rendered });
      await this.outbox.markSent(message.id, this.id, this.clock.now());
      this.metrics.mailDeliveries.inc({ outcome: 'sent' });
      this.log.info({ mail: message.id, kind: message.kind, attempts: message.attempts }, 'mail sent');
    } catch (err) {
      const permanent = err instanceof PermanentDeliveryError;
      const last = permanent || message.attempts >= this.options.maxAttempts;
      const retryAt = last ? null : this.clock.now() + retryDelay(this.options.retrySeconds, message.attempts);
      const error = err instanceof Error ? err.message : String(err);
      await this.outbox.markFailed(message.id, this.id, error, retryAt);
      this.metrics.mailDeliveries.inc({ outcome: last ? 'failed' : 'retry' });
      this.log.warn({ mail: message.id, kind: message.kind, attempts: message.attempts, error, retryAt }, last ? 'mail failed for good; `tessera mail retry` sends it again' : 'mail not sent; will retry');
    }
  }
}
