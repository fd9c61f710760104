/**
 * A real SMTP server for tests (npm `smtp-server`) on a loopback port: Tessera sends to it through
 * nodemailer exactly as it would to a company's mail server, and the test reads what arrived,
 * parsed by `mailparser`. It can be stopped (connections refused) and started again on the same port.
 */
import { SMTPServer } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';
import { freePort } from './app.ts';

export interface ReceivedMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Every http(s) link in the text part. */
  links: string[];
  headers: ParsedMail['headers'];
}

export class TestSmtpServer {
  readonly received: ReceivedMail[] = [];
  private server: SMTPServer | undefined;
  private waiters: (() => void)[] = [];
  /** SMTP reply code to refuse every message with (e.g. 550), or undefined to accept. */
  refuseWith: number | undefined;

  private constructor(readonly port: number) {}

  static async start(): Promise<TestSmtpServer> {
    const smtp = new TestSmtpServer(await freePort());
    await smtp.listen();
    return smtp;
  }

  /** `smtp://127.0.0.1:PORT`, for SMTP_URL. */
  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  async listen(): Promise<void> {
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData: (stream, _session, callback) => {
        if (this.refuseWith !== undefined) {
          stream.resume();
          stream.on('end', () => callback(Object.assign(new Error('refused by the test'), { responseCode: this.refuseWith })));
          return;
        }
        simpleParser(stream)
          .then((parsed) => {
            const text = parsed.text ?? '';
            const to = Array.isArray(parsed.to) ? parsed.to[0]?.text : parsed.to?.text;
            this.received.push({ to: to ?? '', subject: parsed.subject ?? '', text, html: typeof parsed.html === 'string' ? parsed.html : '', links: [...text.matchAll(/https?:\/\/\S+/g)].map((m) => m[0]), headers: parsed.headers });
            for (const wake of this.waiters.splice(0)) wake();
            callback();
          })
          .catch((err: Error) => callback(err));
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.server = server;
  }

  /** Stops listening: new connections are refused until `listen()` again. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** The mail to `to` (all of it when undefined). */
  mailTo(to?: string): ReceivedMail[] {
    return this.received.filter((m) => to === undefined || m.to.toLowerCase() === to.toLowerCase());
  }

  /** Waits until a received message matches, or fails after `timeoutMs`. */
  async waitFor(match: (mail: ReceivedMail) => boolean, timeoutMs = 10_000): Promise<ReceivedMail> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.received.find(match);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching mail within ${timeoutMs} ms; received: ${JSON.stringify(this.received.map((m) => [m.to, m.subject]))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 200));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
}
