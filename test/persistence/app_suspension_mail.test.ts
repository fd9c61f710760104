/**
 * Issue 21: a suspension mails one notice to each person with a live grant of the app, in the
 * suspension's transaction (persistence/stores/app_suspensions.ts), on both dialects: not to a
 * revoked or expired grant's person, nor a disabled account; not again when an app already
 * suspended is suspended again; again after an unsuspend. And the figure for 10 000 grants.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createClient } from '../support/fixtures.ts';
import { suspendApp, unsuspendApp } from '../../src/services/app_suspensions.ts';
import { randomId } from '../../src/crypto/random.ts';
import { renderMail } from '../../src/mail/messages.ts';
import type { MailIntent } from '../../src/domain/mail.ts';

for (const dialect of dialects()) {
  describe(`suspension notices by mail (${dialect})`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp({ dialect });
    });
    after(() => t.close());

    /** People and grants written straight into their tables: 10 000 sign-ups would take minutes of argon2. */
    async function people(appId: string, count: number, grant: { revokedAt?: number; expiresAt?: number; disabledAt?: number } = {}): Promise<string[]> {
      const now = t.clock.now();
      const ids: string[] = [];
      for (let start = 0; start < count; start += 500) {
        const batch = Array.from({ length: Math.min(500, count - start) }, () => randomId());
        ids.push(...batch);
        await t.deps.database.db
          .insertInto('users')
          .values(batch.map((id) => ({ id, email: `${id}@example.com`, name: id, password_hash: null, created_at: now, updated_at: now, password_changed_at: null, disabled_at: grant.disabledAt ?? null, kind: 'personal' as const, directory_id: null, email_verified_at: now })))
          .execute();
        await t.deps.database.db
          .insertInto('grants')
          .values(batch.map((id) => ({ id: randomId(), user_id: id, app_id: appId, scopes: 'openid', created_at: now, updated_at: now, last_used_at: null, last_used_ip: null, expires_at: grant.expiresAt ?? null, revoked_at: grant.revokedAt ?? null, org_ids: null })))
          .execute();
      }
      return ids;
    }

    const mails = async (appName: string) => {
      const rows = await t.deps.database.db.selectFrom('mail_outbox').select(['user_id', 'to_address', 'kind', 'data', 'status']).where('data', 'like', `%${appName}%`).execute();
      return rows;
    };

    it('one notice per person with a live grant, none for the others, once per suspension', async () => {
      const client = await createClient(t.deps, { name: 'Mailer Test' });
      const live = await people(client.clientId, 3);
      await people(client.clientId, 1, { revokedAt: t.clock.now() - 10 });
      await people(client.clientId, 1, { expiresAt: t.clock.now() - 10 });
      await people(client.clientId, 1, { disabledAt: t.clock.now() - 10 });
      await suspendApp(t.deps, client.clientId, 'r', t.clock.now(), { via: 'cli' });
      const sent = await mails('Mailer Test');
      assert.deepEqual(sent.map((m) => m.user_id).sort(), [...live].sort());
      for (const m of sent) {
        assert.equal(m.kind, 'notice');
        assert.equal(m.status, 'pending');
        assert.equal(m.to_address, `${m.user_id}@example.com`);
      }
      const rendered = renderMail({ kind: 'notice', to: sent[0]!.to_address, userId: sent[0]!.user_id!, data: JSON.parse(sent[0]!.data) } as MailIntent, { issuer: 'https://id.example', productName: 'Tessera' });
      assert.match(rendered.subject, /A service you authorized was suspended/);
      assert.match(rendered.text, /“Mailer Test” has been suspended by the platform/);
      assert.doesNotMatch(rendered.text, /Reason/i);

      await suspendApp(t.deps, client.clientId, 'a new reason', t.clock.now(), { via: 'cli' });
      assert.equal((await mails('Mailer Test')).length, 3, 'already suspended: no second notice');
      await unsuspendApp(t.deps, client.clientId, t.clock.now(), { via: 'cli' });
      t.clock.advance(1);
      await suspendApp(t.deps, client.clientId, 'again', t.clock.now(), { via: 'cli' });
      assert.equal((await mails('Mailer Test')).length, 6, 'a new suspension tells them again');
    });

    it('10 000 grants: the suspension and its 10 000 notices are one transaction', async () => {
      const client = await createClient(t.deps, { name: 'Big Service' });
      await people(client.clientId, 10_000);
      const started = performance.now();
      await suspendApp(t.deps, client.clientId, 'r', t.clock.now(), { via: 'cli' });
      const ms = performance.now() - started;
      assert.equal((await mails('Big Service')).length, 10_000);
      console.log(`# ${dialect}: suspend with 10000 live grants (10000 notices written) in ${ms.toFixed(0)} ms`);
      assert.ok(ms < 10_000, `${ms} ms`);
    });
  });
}
