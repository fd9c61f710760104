/**
 * The mail outbox in /metrics (issue 15; docs/operators.md, "Mail"): how many messages are pending
 * and failed, how long the oldest pending one has waited, and this process's delivery attempts by
 * outcome, through a real SMTP server that is down, then refuses for good, then accepts.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createUser } from '../support/fixtures.ts';
import { TestSmtpServer } from '../support/smtp.ts';
import type { User } from '../../src/domain/users.ts';
import { until } from '../support/wait.ts';


for (const dialect of dialects()) {
  describe(`mail metrics (${dialect})`, () => {
    let smtp: TestSmtpServer;
    let t: TestApp;
    let user: User;

    const scrape = async () => {
      const res = await t.app.inject({ method: 'GET', url: '/metrics' });
      assert.equal(res.statusCode, 200);
      return res.body;
    };
    const value = (body: string, series: string): number | undefined => {
      const escaped = series.replace(/[{}"]/g, (c) => `\\${c}`);
      const found = new RegExp(`^${escaped} (\\S+)$`, 'm').exec(body);
      return found ? Number(found[1]) : undefined;
    };

    before(async () => {
      smtp = await TestSmtpServer.start();
      t = await startTestApp({ dialect, env: { SMTP_URL: smtp.url, MAIL_POLL_MS: '100', MAIL_RETRY_SECONDS: '1', MAIL_MAX_ATTEMPTS: '5' } });
      user = await createUser(t.deps, 'metrics@example.com');
    });
    after(async () => {
      await t?.close();
      await smtp?.stop();
    });

    it('pending, failed, the oldest pending age and deliveries by outcome follow the outbox', async () => {
      const quiet = await scrape();
      assert.equal(value(quiet, 'tessera_mail_outbox_messages{status="pending"}'), 0);
      assert.equal(value(quiet, 'tessera_mail_outbox_messages{status="failed"}'), 0);
      assert.equal(value(quiet, 'tessera_mail_oldest_pending_age_seconds'), 0);

      // The mail server is down: the notice waits, and each refused attempt counts as a retry.
      await smtp.stop();
      try {
        await t.deps.stores.audit.record({ type: 'user.password_changed', userId: user.id }, t.clock.now());
        const down = await until('a refused attempt counted', async () => {
          const body = await scrape();
          return (value(body, 'tessera_mail_deliveries_total{outcome="retry"}') ?? 0) >= 1 ? body : undefined;
        });
        assert.equal(value(down, 'tessera_mail_outbox_messages{status="pending"}'), 1);
        // The age is measured from when the message was written, by the server's clock.
        t.clock.advance(600);
        const later = await scrape();
        assert.ok(value(later, 'tessera_mail_oldest_pending_age_seconds')! >= 600, later);
      } finally {
        await smtp.listen();
      }
      const delivered = await until('the notice sent', async () => {
        const body = await scrape();
        return value(body, 'tessera_mail_deliveries_total{outcome="sent"}') === 1 ? body : undefined;
      });
      assert.equal(value(delivered, 'tessera_mail_outbox_messages{status="pending"}'), 0);
      assert.equal(value(delivered, 'tessera_mail_oldest_pending_age_seconds'), 0);

      // Refused for good (550): failed at once, until retried.
      smtp.refuseWith = 550;
      try {
        await t.deps.stores.audit.record({ type: 'user.totp_enabled', userId: user.id }, t.clock.now());
        const failed = await until('the refusal counted', async () => {
          const body = await scrape();
          return value(body, 'tessera_mail_deliveries_total{outcome="failed"}') === 1 ? body : undefined;
        });
        assert.equal(value(failed, 'tessera_mail_outbox_messages{status="failed"}'), 1);
        assert.equal(value(failed, 'tessera_mail_outbox_messages{status="pending"}'), 0);
      } finally {
        smtp.refuseWith = undefined;
      }
      assert.equal(await t.deps.stores.outbox.retry('failed', t.clock.now()), 1);
      const retried = await until('the retried mail sent', async () => {
        const body = await scrape();
        return value(body, 'tessera_mail_deliveries_total{outcome="sent"}') === 2 ? body : undefined;
      });
      assert.equal(value(retried, 'tessera_mail_outbox_messages{status="failed"}'), 0);
      assert.equal(smtp.mailTo('metrics@example.com').length, 2);
    });
  });
}
