/**
 * Changes to second factors are written with their audit event (and so its notice) in one
 * transaction, or not at all (issues 15 and 16). A trigger makes the audit insert fail for the
 * events under test, on each dialect:
 *
 * - a recovery code given at sign-in whose `user.recovery_code_used` cannot be written stays unused;
 * - a passkey sign-up whose `user.passkey_added` cannot be written leaves no account (before, the
 *   account was committed first and the passkey after: a crash between left an account nobody
 *   could open);
 * - an operator's reset whose `user.second_factor_reset` cannot be written removes nothing.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { Browser, redirectLocation } from '../support/browser.ts';
import { createUser } from '../support/fixtures.ts';
import { SoftAuthenticator, type CeremonyOptions } from '../support/soft_authenticator.ts';
import { normalizeRecoveryCode, totpCode } from '../../src/crypto/totp.ts';
import { digest } from '../../src/crypto/digest.ts';
import type { User } from '../../src/domain/users.ts';

const ORIGIN = 'http://localhost:3000';
const REFUSED = "('user.recovery_code_used', 'user.passkey_added', 'user.second_factor_reset')";

for (const dialect of dialects()) {
  describe(`second-factor changes and their events are written together (${dialect})`, () => {
    let t: TestApp;
    let dana: User;
    let codes: string[];

    before(async () => {
      t = await startTestApp({ dialect, env: { PUBLIC_URL: ORIGIN, THROTTLE_LOGIN_PER_IP: '1000/300' } });
      dana = await createUser(t.deps, 'dana@example.com', 'Dana');
      assert.ok(await t.deps.accounts.startTotp(dana));
      const secret = (await t.deps.accounts.totpSetupSecret(dana))!;
      const enabled = await t.deps.accounts.confirmTotp(dana, totpCode(secret, t.clock.now()), { ip: '203.0.113.1', userAgent: null });
      assert.ok(typeof enabled === 'object');
      codes = enabled.codes;

      const db = t.deps.database.db;
      if (dialect === 'sqlite') {
        await sql`create trigger refuse_audit before insert on audit_events when new.type in ${sql.raw(REFUSED)} begin select raise(abort, 'refused by the test'); end`.execute(db);
      } else {
        await sql`create function refuse_audit() returns trigger language plpgsql as $$ begin if new.type in ${sql.raw(REFUSED)} then raise exception 'refused by the test'; end if; return new; end $$`.execute(db);
        await sql`create trigger refuse_audit before insert on audit_events for each row execute function refuse_audit()`.execute(db);
      }
    });
    after(() => t.close());

    it('a recovery code whose event cannot be written is not spent, and no notice is queued', async () => {
      const b = new Browser(t);
      assert.equal(redirectLocation(await b.signIn(dana.email)), '/login/code');
      const res = await b.submit(await b.get('/login/code'), /^\/login\/code$/, { code: codes[0]! });
      assert.equal(res.statusCode, 500);
      assert.equal(b.sessionCookie(), undefined, 'no session');
      assert.equal(await t.deps.stores.users.countUnusedRecoveryCodes(dana.id), 10, 'the code is still unused');
      const notices = (await t.deps.stores.outbox.list({ limit: 100 })).filter((m) => m.to === dana.email && m.kind === 'notice' && m.data.event === 'user.recovery_code_used');
      assert.deepEqual(notices, []);
      // The store itself: one transaction, whoever calls it.
      const event = (remaining: number) => ({ type: 'user.recovery_code_used', userId: dana.id, detail: { remaining } });
      await assert.rejects(t.deps.stores.users.useRecoveryCode(dana.id, digest(normalizeRecoveryCode(codes[1]!)), t.clock.now(), event), /refused by the test/);
      assert.equal(await t.deps.stores.users.countUnusedRecoveryCodes(dana.id), 10);
    });

    it('a passkey sign-up whose passkey cannot be written leaves no account, no link and no mail', async () => {
      const key = new SoftAuthenticator(ORIGIN);
      const b = new Browser(t);
      const opts = await b.postJson('/signup/passkey/options', { name: 'Quinn', email: 'quinn@example.com' });
      assert.equal(opts.statusCode, 200, opts.body);
      const res = await b.postJson('/signup/passkey', { credential: key.register((opts.json() as { options: CeremonyOptions }).options).response });
      assert.equal(res.statusCode, 500, res.body);
      assert.equal(await t.deps.stores.users.findByEmail('quinn@example.com'), undefined, 'no account without its passkey');
      assert.equal(await t.deps.stores.passkeys.find(key.credentials[0]!.id.toString('base64url')), undefined);
      assert.equal(await t.deps.stores.outbox.countRecent('quinn@example.com', ['verify_email'], 0), 0, 'no verification mail for an account that does not exist');
    });

    it('an operator’s reset whose event cannot be written removes nothing', async () => {
      await assert.rejects(t.deps.accounts.resetSecondFactor(dana, 'test'), /refused by the test/);
      assert.notEqual((await t.deps.stores.users.findTotp(dana.id))?.enabledAt ?? null, null, 'TOTP stays on');
      assert.equal(await t.deps.stores.users.countUnusedRecoveryCodes(dana.id), 10);
    });
  });
}
