/**
 * Delivers the outbox (domain/mail.ts), in every server process, through the shared lease loop
 * (jobs/leased_sender.ts). Each poll takes a few due messages under a lease
 * (persistence/stores/outbox.ts: one sender per message on any number of nodes), renders each (mail/messages.ts) and hands it to the transport. A message that fails is
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
import { LeasedSender, retryDelay } from './leased_sender.ts';
import { linkValue } from '../crypto/account_links.ts';
import { renderMail } from '../mail/messages.ts';
import { LINK_PATHS, absolute } from '../mail/links.ts';
import { PermanentDeliveryError, type MailTransport } from '../mail/transport.ts';

/** A lease longer than any one delivery can take (the transport's timeouts are 10–30 s). */
const LEASE_SECONDS = 120;

export interface MailSenderOptions extends Pick<MailConfig, 'pollMs' | 'retrySeconds' | 'maxAttempts'> {
  issuer: string;
  /** PRODUCT_NAME, which signs every message. */
  productName: string;
  /** Makes link values (crypto/derived_keys.ts accountLinkKey). */
  linkKey: Buffer;
}

export class MailSender {
  private readonly loop: LeasedSender<OutboxMessage>;

  constructor(
    private readonly outbox: OutboxStore,
    private readonly transport: MailTransport,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly options: MailSenderOptions,
    private readonly metrics: Pick<Metrics, 'mailDeliveries'>,
  ) {
    this.loop = new LeasedSender(outbox, clock, log, { name: 'mail', pollMs: options.pollMs, leaseSeconds: LEASE_SECONDS }, (message, owner) => this.deliver(message, owner));
  }

  /** This process's sender id, written on the messages it takes. */
  get id(): string {
    return this.loop.id;
  }

  start(): void {
    this.loop.start();
  }

  /** Look for mail now (this process just wrote some); nothing unless started. */
  wake(): void {
    this.loop.wake();
  }

  /** Sends nothing more (jobs/leased_sender.ts), then closes the transport. */
  async stop(): Promise<void> {
    await this.loop.stop();
    this.transport.close();
  }

  private async deliver(message: OutboxMessage, owner: string): Promise<void> {
    try {
      const link = isLinkMail(message) ? absolute(this.options.issuer, LINK_PATHS[message.kind], { link: linkValue(this.options.linkKey, message.kind, message.data.linkId) }) : undefined;
      const rendered = renderMail(message, { issuer: this.options.issuer, productName: this.options.productName, ...(link ? { link } : {}) });
      await this.transport.send({ id: message.id, to: message.to, ...rendered });
      await this.outbox.markSent(message.id, owner, this.clock.now());
      this.metrics.mailDeliveries.inc({ outcome: 'sent' });
      this.log.info({ mail: message.id, kind: message.kind, attempts: message.attempts }, 'mail sent');
    } catch (err) {
      const permanent = err instanceof PermanentDeliveryError;
      const last = permanent || message.attempts >= this.options.maxAttempts;
      const retryAt = last ? null : this.clock.now() + retryDelay(this.options.retrySeconds, message.attempts);
      const error = err instanceof Error ? err.message : String(err);
      await this.outbox.markFailed(message.id, owner, error, retryAt);
      this.metrics.mailDeliveries.inc({ outcome: last ? 'failed' : 'retry' });
      this.log.warn({ mail: message.id, kind: message.kind, attempts: message.attempts, error, retryAt }, last ? 'mail failed for good; `tessera mail retry` sends it again' : 'mail not sent; will retry');
    }
  }
}
