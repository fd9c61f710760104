/**
 * Mail under `kill -9` and a mail server that is down (issue 15: "A SIGKILL between the commit and
 * the send loses nothing. A mail server that is down delays mail but never delays or breaks
 * sign-in, approval or the API."), with real server processes (src/main.ts, as crash.test.ts
 * starts them), real HTTP and a real SMTP server, on a SQLite file and on PostgreSQL:
 *
 * 1. A person changes their password on /profile while the mail server refuses connections; the
 *    notice is committed with the change (pending, not yet sent) and the process is SIGKILLed
 *    before it sends. The mail server comes back and a new process starts on the same database:
 *    the notice arrives exactly once (counted by its X-Tessera-Message-Id).
 * 2. With the sender busy on a backlog, a mail server that refuses connections, then one that
 *    accepts the connection and never says a word (a plain `net` server: nodemailer waits out its
 *    10 s greeting timeout), neither slows a sign-in nor a password change: each answers in the
 *    time the password hashing takes, while the delivery is still hanging.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { dialects, freePort } from '../support/app.ts';
import { TestSmtpServer } from '../support/smtp.ts';
import { findForm } from '../support/browser.ts';
import { PASSWORD } from '../support/fixtures.ts';
import { startServerProcess, type ServerProcess } from '../support/processes.ts';
import { CliTarget } from '../cli/cli.ts';
import { HANG_MS, sleep } from './http.ts';
import { loadConfig } from '../../src/config/config.ts';
import { openDatabase, type DatabaseHandle } from '../../src/persistence/database.ts';
import { migrateToLatest } from '../../src/persistence/migrate.ts';
import { createStores } from '../../src/persistence/stores/index.ts';
import { hashPassword } from '../../src/crypto/passwords.ts';
import type { Stores } from '../../src/domain/stores.ts';
import type { OutboxMessage } from '../../src/domain/mail.ts';
import type { User } from '../../src/domain/users.ts';
import { until as untilIn } from '../support/wait.ts';

/** Real processes on a loaded machine: 15 s. */
const until = <T>(what: string, check: () => Promise<T | undefined>) => untilIn(what, check, 15_000);

/**
 * What a request may take with the mail server down: the password hashing (argon2, twice for a
 * change) on a busy 2-core machine, far below the 10 s a hanging mail server holds the sender.
 */
const PROMPT_MS = 4000;

/** The database without a server: no mail sender of its own, so only the server processes send. */
async function openStores(env: Record<string, string>): Promise<{ database: DatabaseHandle; stores: Stores }> {
  const config = loadConfig({ ...env, LOG_LEVEL: 'silent' });
  const database = openDatabase(config.database);
  await migrateToLatest(database.db);
  return { database, stores: createStores(database.db, database.dialect) };
}


interface Page {
  status: number;
  location: string | null;
  body: string;
  ms: number;
}

/** A browser over fetch against one real process: keeps cookies, posts forms as a same-origin page. */
class Jar {
  private readonly cookies = new Map<string, string>();
  constructor(private readonly base: string) {}

  async request(method: 'GET' | 'POST', path: string, form?: Record<string, string>): Promise<Page> {
    const headers: Record<string, string> = { 'sec-fetch-site': 'same-origin' };
    if (this.cookies.size) headers.cookie = [...this.cookies].map(([n, v]) => `${n}=${v}`).join('; ');
    if (form) headers['content-type'] = 'application/x-www-form-urlencoded';
    const started = Date.now();
    const payload = form ? new URLSearchParams(form).toString() : undefined;
    const res = await fetch(this.base + path, { method, headers, ...(payload === undefined ? {} : { body: payload }), redirect: 'manual', signal: AbortSignal.timeout(HANG_MS) });
    const body = await res.text();
    for (const line of res.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      const value = pair.slice(eq + 1).trim();
      if (value === '' || /max-age=0/i.test(line)) this.cookies.delete(pair.slice(0, eq).trim());
      else this.cookies.set(pair.slice(0, eq).trim(), value);
    }
    return { status: res.status, location: res.headers.get('location'), body, ms: Date.now() - started };
  }

  /** GETs `path` and posts its form whose action matches, with its hidden fields and `fields`. */
  async submit(path: string, action: RegExp, fields: Record<string, string>): Promise<Page> {
    const page = await this.request('GET', path);
    const form = findForm(page.body, action);
    assert.ok(form, `${path} has a form for ${action} (status ${page.status})`);
    return this.request('POST', form.action, { ...form.hidden, ...fields });
  }
}

async function signIn(base: string, user: User, password: string): Promise<{ jar: Jar; answer: Page }> {
  const jar = new Jar(base);
  const answer = await jar.submit('/login', /^\/login$/, { email: user.email, password });
  assert.equal(answer.status, 303, `sign-in: ${answer.status} ${answer.body.slice(0, 300)}`);
  return { jar, answer };
}

async function changePassword(jar: Jar, current: string, next: string): Promise<Page> {
  const answer = await jar.submit('/profile', /^\/profile\/password$/, { current, password: next });
  assert.equal(answer.status, 303, `password change: ${answer.status} ${answer.body.slice(0, 300)}`);
  assert.equal(answer.location, '/profile?done=password');
  return answer;
}

/** A TCP server that accepts connections and never writes: a mail server hung before its greeting. */
async function startSilentServer(port: number): Promise<{ server: Server; sockets: Set<Socket>; accepted(): number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server = createServer((socket) => {
    accepted++;
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    server,
    sockets,
    accepted: () => accepted,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

for (const dialect of dialects()) {
  describe(`mail under SIGKILL and a mail server that is down (${dialect})`, () => {
    let target: CliTarget;
    let database: DatabaseHandle;
    let stores: Stores;
    let user: User;
    let password = PASSWORD;
    const processes: ServerProcess[] = [];

    const start = async (env: Record<string, string>) => {
      const server = await startServerProcess(target.env(env));
      processes.push(server);
      return server;
    };
    const mailOf = async (id: string) => (await stores.outbox.find(id))!;
    const nextPassword = () => `a new passphrase, number ${Math.random().toString(36).slice(2, 8)}`;

    before(async () => {
      target = await CliTarget.create(dialect);
      ({ database, stores } = await openStores(target.env()));
      user = (await stores.users.create({ email: `crash-mail-${dialect}@example.com`, name: 'Crash Mail', passwordHash: await hashPassword(PASSWORD), emailVerified: true }, Math.floor(Date.now() / 1000)))!;
    });
    after(async () => {
      for (const server of processes) await server.stop('SIGKILL');
      await database?.close();
      await target?.close();
    });

    it('SIGKILL after the commit, before the send: the next process sends the notice exactly once', async () => {
      const smtp = await TestSmtpServer.start();
      await smtp.stop();
      try {
        // The first process's sender looks only once a minute, so the kill lands between the commit and any send.
        const first = await start({ SMTP_URL: smtp.url, MAIL_POLL_MS: '60000', MAIL_RETRY_SECONDS: '1' });
        const { jar } = await signIn(first.url, user, password);
        const next = nextPassword();
        await changePassword(jar, password, next);
        password = next;

        // Committed with the change, and not on its way: no sender holds it.
        const notice = await until('the notice in the outbox', async () =>
          (await stores.outbox.list({ limit: 100 })).find((m): m is OutboxMessage & { kind: 'notice' } => m.kind === 'notice' && m.to === user.email && m.data.event === 'user.password_changed'),
        );
        assert.equal(notice.status, 'pending');
        await until('no lease on the notice', async () => {
          const row = await database.db.selectFrom('mail_outbox').select('lease_until').where('id', '=', notice.id).executeTakeFirstOrThrow();
          return row.lease_until === null ? true : undefined;
        });
        await first.stop('SIGKILL');
        assert.equal(first.child.signalCode, 'SIGKILL');
        assert.equal((await mailOf(notice.id)).status, 'pending', 'the kill lost nothing and sent nothing');

        await smtp.listen();
        await start({ SMTP_URL: smtp.url, MAIL_POLL_MS: '100', MAIL_RETRY_SECONDS: '1' });
        const mail = await smtp.waitFor((m) => m.headers.get('x-tessera-message-id') === notice.id, 20_000);
        assert.equal(mail.subject, 'Your password was changed');
        assert.equal(mail.to, user.email);
        await until('the notice marked sent', async () => ((await mailOf(notice.id)).status === 'sent' ? true : undefined));
        // Several polls later, still once.
        await sleep(1000);
        assert.equal(smtp.received.filter((m) => m.headers.get('x-tessera-message-id') === notice.id).length, 1);
      } finally {
        await smtp.stop();
      }
    });

    it('a mail server that refuses connections, or accepts and never answers, slows no sign-in and no password change', async (t) => {
      const port = await freePort();
      const server = await start({ SMTP_URL: `smtp://127.0.0.1:${port}`, MAIL_POLL_MS: '100', MAIL_RETRY_SECONDS: '1' });
      // A backlog keeps the sender busy the whole time.
      const now = Math.floor(Date.now() / 1000);
      for (let i = 0; i < 20; i++) await stores.outbox.enqueue({ kind: 'reset_unknown', to: `backlog${i}@example.com`, userId: null, data: {} }, now);

      // Refused: the sender is failing on the backlog, and the pages answer as usual.
      await until('a refused delivery', async () => ((await stores.outbox.list({ status: 'pending', limit: 100 })).some((m) => /ECONNREFUSED/.test(m.lastError ?? '')) ? true : undefined));
      const refused = await signIn(server.url, user, password);
      let next = nextPassword();
      const changedWhileRefused = await changePassword(refused.jar, password, next);
      password = next;
      assert.ok(refused.answer.ms < PROMPT_MS && changedWhileRefused.ms < PROMPT_MS, `sign-in ${refused.answer.ms} ms, change ${changedWhileRefused.ms} ms`);

      // Hanging: the mail server takes the connection and says nothing.
      const silent = await startSilentServer(port);
      try {
        await until('the sender connected to the silent server', async () => (silent.sockets.size > 0 ? true : undefined));
        const hung = await signIn(server.url, user, password);
        next = nextPassword();
        const changedWhileHung = await changePassword(hung.jar, password, next);
        password = next;
        t.diagnostic(`refused: sign-in ${refused.answer.ms} ms, change ${changedWhileRefused.ms} ms; hanging: sign-in ${hung.answer.ms} ms, change ${changedWhileHung.ms} ms`);
        assert.ok(hung.answer.ms < PROMPT_MS && changedWhileHung.ms < PROMPT_MS, `sign-in ${hung.answer.ms} ms, change ${changedWhileHung.ms} ms`);
        // The delivery was still hanging when both answered: the request never waited for it.
        assert.ok(silent.sockets.size > 0, 'the sender was still waiting for a greeting');
        assert.ok(silent.accepted() >= 1);
        // The notices of these changes wait in the outbox, like the rest.
        const notices = (await stores.outbox.list({ status: 'pending', limit: 200 })).filter((m) => m.kind === 'notice' && m.to === user.email && m.data.event === 'user.password_changed');
        assert.ok(notices.length >= 2, `pending password notices: ${notices.length}`);
      } finally {
        await silent.close();
      }
    });
  });
}
