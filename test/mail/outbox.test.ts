/**
 * The outbox (issue 15, "How mail leaves Tessera"), on both dialects, through a real SMTP server:
 * a notice is written with its event and delivered with a text and an HTML part; a mail server
 * that refuses connections delays mail and loses none; a permanent refusal ends `failed` and
 * `retry` sends it again; senders on two nodes never take the same message; the embedded default
 * writes `.eml` files.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer, type Socket } from 'node:net';
import { dialects, databaseOf, freePort, startTestApp, type TestApp } from '../support/app.ts';
import { TestSmtpServer } from '../support/smtp.ts';
import { createUser } from '../support/fixtures.ts';
import { until } from '../support/wait.ts';

const FAST = { MAIL_POLL_MS: '100', MAIL_RETRY_SECONDS: '1', MAIL_MAX_ATTEMPTS: '3' };


for (const dialect of dialects()) {
  describe(`mail outbox (${dialect})`, () => {
    let smtp: TestSmtpServer;
    let t: TestApp;

    before(async () => {
      smtp = await TestSmtpServer.start();
      t = await startTestApp({ dialect, env: { ...FAST, SMTP_URL: smtp.url, MAIL_FROM: 'Tessera <no-reply@tessera.test>' } });
    });
    after(async () => {
      await t?.close();
      await smtp?.stop();
    });

    it('a notice is stored with its audit event and arrives over SMTP with a text and an HTML part', async () => {
      const user = await createUser(t.deps, 'notice@example.com');
      await t.deps.stores.audit.record({ type: 'user.totp_enabled', userId: user.id, ip: '203.0.113.9', userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0' }, t.clock.now());
      const mail = await smtp.waitFor((m) => m.to === 'notice@example.com');
      assert.equal(mail.subject, 'Two-step verification was turned on');
      assert.match(mail.text, /Firefox on Linux/);
      assert.match(mail.text, /203\.0\.113\.9/);
      assert.match(mail.html, /<a href="http:\/\/127\.0\.0\.1:\d+\/profile"/);
      for (const link of mail.links) assert.ok(link.startsWith(t.config.issuer + '/'), link);
      assert.equal((mail.headers.get('from') as { value: { address: string; name: string }[] }).value[0]?.address, 'no-reply@tessera.test');
      // Marked sent once the server has accepted it.
      const row = await until('the message marked sent', async () => (await t.deps.stores.outbox.list({ status: 'sent', limit: 10 })).find((m) => m.to === 'notice@example.com'));
      assert.equal(row?.attempts, 1);
    });

    it('an event that is no notice writes no mail', async () => {
      const user = await createUser(t.deps, 'quiet@example.com');
      await t.deps.stores.audit.record({ type: 'user.renamed', userId: user.id }, t.clock.now());
      assert.equal((await t.deps.stores.outbox.list({ limit: 100 })).filter((m) => m.to === 'quiet@example.com').length, 0);
    });

    it('a mail server that refuses connections delays mail; when it is back the mail arrives, none lost', async () => {
      const user = await createUser(t.deps, 'outage@example.com');
      await smtp.stop();
      try {
        await t.deps.stores.audit.record({ type: 'user.password_changed', userId: user.id }, t.clock.now());
        const pending = await until('a failed attempt', async () => {
          const m = (await t.deps.stores.outbox.list({ limit: 100 })).find((x) => x.to === 'outage@example.com');
          return m && m.attempts >= 1 && m.lastError ? m : undefined;
        });
        assert.equal(pending.status, 'pending');
        assert.match(pending.lastError ?? '', /ECONNREFUSED|connect/i);
      } finally {
        await smtp.listen();
      }
      t.clock.advance(5);
      const mail = await smtp.waitFor((m) => m.to === 'outage@example.com');
      assert.equal(mail.subject, 'Your password was changed');
      assert.equal(smtp.mailTo('outage@example.com').length, 1);
    });

    it('a permanent refusal (550) ends failed at once; retry sends it again', async () => {
      const user = await createUser(t.deps, 'refused@example.com');
      smtp.refuseWith = 550;
      try {
        await t.deps.stores.audit.record({ type: 'user.totp_disabled', userId: user.id }, t.clock.now());
        const failed = await until('the message to fail', async () => (await t.deps.stores.outbox.list({ status: 'failed', limit: 100 })).find((x) => x.to === 'refused@example.com'));
        assert.equal(failed.attempts, 1);
        assert.match(failed.lastError ?? '', /550/);
      } finally {
        smtp.refuseWith = undefined;
      }
      const failed = (await t.deps.stores.outbox.list({ status: 'failed', limit: 100 })).find((x) => x.to === 'refused@example.com')!;
      assert.equal(await t.deps.stores.outbox.retry([failed.id], t.clock.now()), 1);
      await smtp.waitFor((m) => m.to === 'refused@example.com');
      await until('the message marked sent', async () => ((await t.deps.stores.outbox.find(failed.id))?.status === 'sent' ? true : undefined));
    });

    it('two nodes never take the same message', async () => {
      const second = await startTestApp({ dialect, database: databaseOf(t), env: { ...FAST, SMTP_URL: smtp.url } });
      try {
        // Stop both senders' timers from interfering: claim directly, twice at once, many times.
        const now = t.clock.now() + 10_000;
        const ids: string[] = [];
        for (let i = 0; i < 30; i++) ids.push(await t.deps.stores.outbox.enqueue({ kind: 'reset_unknown', to: `race${i}@example.com`, userId: null, data: {} }, now));
        const [a, b] = await Promise.all([t.deps.stores.outbox.claim('node-a', now, 60, 50), second.deps.stores.outbox.claim('node-b', now, 60, 50)]);
        const taken = [...a, ...b].map((m) => m.id).filter((id) => ids.includes(id));
        assert.equal(new Set(taken).size, taken.length, 'no message taken twice');
        // Leased: nobody takes them again until the lease ends.
        assert.equal((await t.deps.stores.outbox.claim('node-c', now, 60, 50)).filter((m) => ids.includes(m.id)).length, 30 - taken.length);
      } finally {
        await second.close();
      }
    });
  });
}

describe('mail outbox, a mail server that hangs (SQLite)', () => {
  it('cannot hold up a shutdown: the delivery in flight gets 2 s, the messages taken but not started go back untried', async () => {
    // Accepts the connection and never says a word: nodemailer would wait 10 s for the greeting.
    const sockets: Socket[] = [];
    const silent = createServer((socket) => sockets.push(socket));
    const port = await freePort();
    await new Promise<void>((resolve) => silent.listen(port, '127.0.0.1', resolve));
    const t = await startTestApp({ env: { ...FAST, SMTP_URL: `smtp://127.0.0.1:${port}` } });
    try {
      const now = t.clock.now();
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) ids.push(await t.deps.stores.outbox.enqueue({ kind: 'reset_unknown', to: `hang${i}@example.com`, userId: null, data: {} }, now));
      await until('the sender to take them', async () => ((await t.deps.stores.outbox.find(ids[2]!))?.attempts === 1 ? true : undefined));
      const started = Date.now();
      await t.deps.mail.stop();
      const took = Date.now() - started;
      assert.ok(took < 4000, `stop took ${took} ms`);
      const after = await Promise.all(ids.map((id) => t.deps.stores.outbox.find(id)));
      // The first was in flight; the two behind it were given back, their attempt uncounted.
      assert.deepEqual(after.slice(1).map((m) => m?.attempts), [0, 0]);
      assert.ok(after.every((m) => m?.status === 'pending'));
    } finally {
      await t.close();
      for (const socket of sockets) socket.destroy();
      silent.close();
    }
  });
});

describe('mail outbox, embedded default (no SMTP_URL)', () => {
  it('writes each message as an .eml file under DATA_DIR/outbox', async () => {
    const t = await startTestApp({ env: FAST });
    try {
      const user = await createUser(t.deps, 'eml@example.com');
      await t.deps.stores.audit.record({ type: 'user.password_changed', userId: user.id }, t.clock.now());
      const dir = join(t.config.dataDir, 'outbox');
      const file = await until('an .eml file', () => (existsSync(dir) ? readdirSync(dir).find((f) => f.endsWith('.eml')) : undefined));
      const eml = readFileSync(join(dir, file), 'utf8');
      assert.match(eml, /^To: eml@example\.com$/m);
      assert.match(eml, /^Subject: Your password was changed$/m);
      assert.match(eml, /Content-Type: text\/plain/);
      assert.match(eml, /Content-Type: text\/html/);
    } finally {
      await t.close();
    }
  });
});
