/**
 * Issue 15, "Account recovery": "Forgot your password?" answers the same whether or not the
 * account exists, in words and in timing (SECURITY 33). A personal account, an address no account
 * uses, a work account and a disabled account get the same status and the same bytes, and each
 * request writes exactly one message (of a kind the address decides, unseen by the requester). The
 * POST for a known address takes as long as for an unknown one: the median difference of alternated
 * pairs of requests is below 15 ms and below half the median time, which hashing a password (argon2, tens
 * of ms) or talking to the mail server inline would break.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { TestSmtpServer } from '../support/smtp.ts';
import { findForm } from '../support/browser.ts';
import { createUser } from '../support/fixtures.ts';
import { hashPassword } from '../../src/crypto/passwords.ts';
import { RESET_SENT } from '../../src/interaction/recovery/forgot_view.tsx';

const ROUNDS = 30;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

for (const dialect of dialects()) {
  describe(`issue 15: a password reset does not tell which addresses have accounts (${dialect})`, () => {
    let smtp: TestSmtpServer;
    let t: TestApp;
    let token: string;

    before(async () => {
      smtp = await TestSmtpServer.start();
      t = await startTestApp({ dialect, env: { SMTP_URL: smtp.url, MAIL_POLL_MS: '100', THROTTLE_PASSWORD_RESET_PER_IP: '100000/60' } });
      token = findForm((await t.app.inject({ method: 'GET', url: '/forgot-password' })).body, /^\/forgot-password$/)!.hidden.token!;
    });
    after(async () => {
      await t?.close();
      await smtp?.stop();
    });

    function ask(email: string) {
      return t.app.inject({ method: 'POST', url: '/forgot-password', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: t.issuer }, payload: new URLSearchParams({ token, email }).toString() });
    }

    it('known, unknown, work and disabled addresses: the same status and the same bytes, one message each', async () => {
      const { directory } = await t.deps.stores.directories.create({ id: 'dir-corp', name: 'Corp', issuer: 'https://id.corp.example', clientId: 'c', clientSecretSealed: 'v1.x', domains: ['corp.example'], createdAt: t.clock.now() });
      assert.ok(directory);
      await createUser(t.deps, 'known@corp.example');
      await t.deps.stores.directories.createAccount({ issuer: directory.issuer, subject: 's1', directoryId: directory.id, email: 'worker@corp.example', name: 'Worker' }, t.clock.now());
      const disabled = await createUser(t.deps, 'disabled@corp.example');
      await t.deps.accounts.disableAccount(disabled, 'test', 300);

      const cases = { known: 'known@corp.example', unknown: 'nobody@corp.example', work: 'worker@corp.example', disabled: 'disabled@corp.example' };
      const answers = new Map<string, { status: number; body: string }>();
      for (const [name, email] of Object.entries(cases)) {
        const res = await ask(email);
        answers.set(name, { status: res.statusCode, body: res.body });
      }
      const known = answers.get('known')!;
      assert.equal(known.status, 200);
      assert.ok(known.body.includes(RESET_SENT));
      for (const [name, answer] of answers) {
        assert.equal(answer.status, known.status, name);
        assert.equal(answer.body, known.body, `${name}: the same bytes as for a known address`);
      }

      const kinds = new Map<string, string[]>();
      for (const message of await t.deps.stores.outbox.list({ limit: 100 })) {
        if (message.kind === 'notice') continue;
        kinds.set(message.to, [...(kinds.get(message.to) ?? []), message.kind]);
      }
      assert.deepEqual(kinds.get(cases.known), ['reset_password']);
      assert.deepEqual(kinds.get(cases.unknown), ['reset_unknown']);
      assert.deepEqual(kinds.get(cases.work), ['reset_work_account']);
      assert.deepEqual(kinds.get(cases.disabled), ['reset_unknown'], 'a disabled account gets no link');
      // And each arrives: the one a stranger could not tell apart is still real mail.
      await smtp.waitFor(() => Object.values(cases).every((to) => smtp.mailTo(to).length === 1));
    });

    it(`the POST takes as long for a known address as for an unknown one (${ROUNDS} alternated pairs)`, async (ctx) => {
      // The sender's deliveries (SMTP, then a write marking each sent) would only add noise to both
      // sides; what is measured is the request's own work, which must not include sending.
      await t.deps.mail.stop();
      // One hash for all: the accounts only need to exist (SECURITY 33 is about the request's work).
      const passwordHash = await hashPassword('timing test password');
      const WARM = 5;
      for (let i = 0; i < ROUNDS + WARM; i++) await t.deps.stores.users.create({ email: `timing${i}@example.com`, name: `T${i}`, passwordHash }, t.clock.now());
      const timed = async (email: string) => {
        const start = performance.now();
        const res = await ask(email);
        const ms = performance.now() - start;
        assert.equal(res.statusCode, 200);
        return ms;
      };
      // Warm up both paths (JIT, prepared statements, connections) before measuring.
      for (let i = 0; i < WARM; i++) {
        await timed(`timing${ROUNDS + i}@example.com`);
        await timed(`warm${i}@nowhere.example`);
      }
      const known: number[] = [];
      const unknown: number[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        // Alternated, each first in turn: the two of a pair run under the same load.
        for (const isKnown of i % 2 === 0 ? [true, false] : [false, true]) {
          if (isKnown) known.push(await timed(`timing${i}@example.com`));
          else unknown.push(await timed(`nobody${i}@nowhere.example`));
        }
      }
      // The median of the pairs' differences: a load spike moves both of a pair, a systematic cost
      // on one path (a password hash, a mail sent inline) moves every pair.
      const difference = Math.abs(median(known.map((k, i) => k - unknown[i]!)));
      const typical = Math.max(median(known), median(unknown));
      const summary = `known median ${median(known).toFixed(2)} ms, unknown median ${median(unknown).toFixed(2)} ms, median pair difference ${difference.toFixed(2)} ms`;
      ctx.diagnostic(summary);
      assert.ok(difference < 15, summary);
      assert.ok(difference < 0.5 * typical, summary);
      // Every known request wrote a link: the comparison measured the real path.
      assert.equal((await t.deps.stores.outbox.list({ limit: 500 })).filter((m) => m.kind === 'reset_password' && m.to.startsWith('timing')).length, ROUNDS + WARM);
    });
  });
}
