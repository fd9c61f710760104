/**
 * How a rendered message leaves Tessera: over SMTP through nodemailer when `SMTP_URL` is set, or,
 * by default, as an `.eml` file under `DATA_DIR/outbox/` with one log line naming its subject and
 * link, so a newcomer running `npm start` can finish every flow by opening the link.
 * @module
 */
import { mkdirSync, writeFileSync, renameSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type nodemailer from 'nodemailer';
import type { Transporter } from 'nodemailer';
import type { MailConfig } from '../config/config.ts';

/**
 * nodemailer, required when the first message goes out rather than at start (issue 14: about
 * 40 ms of a starting server's module load, for a process that may send nothing for hours).
 */
const mailer = (): typeof nodemailer => createRequire(import.meta.url)('nodemailer') as typeof nodemailer;

/** A nodemailer transporter made on first use; closing one never made does nothing. */
function lazily(make: () => Transporter): { get(): Transporter; close(): void } {
  let made: Transporter | undefined;
  return { get: () => (made ??= make()), close: () => made?.close() };
}

export interface Envelope {
  /** The outbox id, sent as `X-Tessera-Message-Id` so a message can be traced end to end. */
  id: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  /** The message's link, for the embedded outbox's log line. */
  link: string | undefined;
}

export interface MailTransport {
  /** Resolves when the message was accepted; throws a `DeliveryError` (or any error: retried) when not. */
  send(envelope: Envelope): Promise<void>;
  /** What the logs and `/readyz` call it: `smtp://host:port` (never the password) or the folder. */
  readonly description: string;
  close(): void;
}

/** The mail server refused the message for good (SMTP 5xx): retrying will not help. */
export class PermanentDeliveryError extends Error {
  override name = 'PermanentDeliveryError';
}

export function createTransport(config: MailConfig, dataDir: string, log: Logger): MailTransport {
  return config.smtpUrl === undefined ? fileTransport(config.from, join(dataDir, 'outbox'), log) : smtpTransport(config.from, config.smtpUrl);
}

function smtpTransport(from: string, smtpUrl: string): MailTransport {
  const url = new URL(smtpUrl);
  const transporter = lazily(() =>
    mailer().createTransport({
      url: smtpUrl,
      // A mail server that hangs delays mail, never the sender loop for long.
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
    } as Parameters<typeof nodemailer.createTransport>[0]),
  );
  return {
    description: `${url.protocol}//${url.hostname}:${url.port || (url.protocol === 'smtps:' ? 465 : 587)}`,
    async send(envelope) {
      try {
        await transporter.get().sendMail({ ...message(from, envelope) });
      } catch (err) {
        const code = (err as { responseCode?: unknown }).responseCode;
        if (typeof code === 'number' && code >= 500 && code < 600) throw new PermanentDeliveryError(`SMTP ${code}: ${(err as Error).message}`);
        throw err;
      }
    },
    close: () => transporter.close(),
  };
}

function fileTransport(from: string, dir: string, log: Logger): MailTransport {
  const composer = lazily(() => mailer().createTransport({ streamTransport: true, buffer: true, newline: 'unix' }));
  return {
    description: dir,
    async send(envelope) {
      const info = await composer.get().sendMail(message(from, envelope));
      mkdirSync(dir, { recursive: true });
      // Written whole, then renamed: a reader never sees half a message.
      const file = join(dir, `${envelope.id}.eml`);
      writeFileSync(`${file}.tmp`, info.message as Buffer);
      renameSync(`${file}.tmp`, file);
      log.info({ to: envelope.to, subject: envelope.subject, link: envelope.link, file }, 'mail written to the outbox folder (set SMTP_URL to send it)');
    },
    close: () => composer.close(),
  };
}

function message(from: string, envelope: Envelope) {
  return {
    from,
    to: envelope.to,
    subject: envelope.subject,
    text: envelope.text,
    html: envelope.html,
    headers: { 'X-Tessera-Message-Id': envelope.id, 'Auto-Submitted': 'auto-generated' },
  };
}
