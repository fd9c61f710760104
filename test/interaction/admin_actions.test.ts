/**
 * Issue 21, the console's actions over HTTP on each dialect, each pressed on its page as an
 * operator would (signed in with the password and TOTP): what it does, and its audit event naming
 * the operator (`via: 'admin'`, the operator's id). Services: Suspend (a reason is required; the
 * app's refresh token is refused at /token at once), Unsuspend (it refreshes again), Verify
 * publisher / Withdraw the mark. People: End all sessions, Reset second factor (with the notice
 * mail), Disable (sessions end, tokens refused) and Enable. The pages show what the reads give.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createClient, createUser, type TestClient } from '../support/fixtures.ts';
import { Browser, findForm } from '../support/browser.ts';
import { obtainTokens, refresh } from '../support/codes.ts';
import { SqlAuditLog } from '../../src/persistence/stores/audit_log.ts';
import type { User } from '../../src/domain/users.ts';
import { createOperator, signedInOperator, type Operator } from './admin_support.ts';

for (const dialect of dialects()) {
  describe(`issue 21: the console's actions (${dialect})`, () => {
    let t: TestApp;
    let olga: Operator;
    let browser: Browser;
    let client: TestClient;
    let alice: User;

    before(async () => {
      t = await startTestApp({ dialect, env: { THROTTLE_LOGIN_PER_IP: '100000/300' } });
      olga = await createOperator(t, 'olga@example.com');
      browser = await signedInOperator(t, olga);
      client = await createClient(t.deps, { name: 'Time Tracker', redirectUris: ['https://tracker.example/cb'] });
      alice = await createUser(t.deps, 'alice@example.com', 'Alice', { verified: true });
    });
    after(() => t?.close());

    /** The newest audit event of `type`. */
    async function lastEvent(type: string) {
      const [event] = await new SqlAuditLog(t.deps.database.db).list({ type, limit: 1 });
      assert.ok(event, `a ${type} event`);
      return event;
    }

    async function press(page: string, action: RegExp, fields: Record<string, string> = {}) {
      const res = await browser.submit(await browser.get(page), action, fields);
      assert.equal(res.statusCode, 303, res.body.slice(0, 500));
      return browser.follow(res);
    }

    it('Services: the search finds the app by name, publisher and client id, and filters', async () => {
      for (const q of ['time track', client.app.publisher, client.clientId]) {
        const res = await browser.get(`/admin/services?${new URLSearchParams({ q })}`);
        assert.equal(res.statusCode, 200);
        assert.ok(res.body.includes(`href="/admin/services/${client.clientId}"`), q);
      }
      const none = await browser.get(`/admin/services?${new URLSearchParams({ q: 'time track', suspended: 'yes' })}`);
      assert.ok(!none.body.includes(`/admin/services/${client.clientId}"`), 'not suspended yet');
      assert.equal((await browser.get('/admin/services?after=not-a-cursor')).statusCode, 400);
    });

    it('Suspend needs a reason; with one, the refresh token is refused at /token at once, audited with the operator', async () => {
      const tokens = await obtainTokens(t, { client, user: alice, scopes: ['openid', 'offline_access'] });
      const page = `/admin/services/${client.clientId}`;
      const empty = await browser.submit(await browser.get(page), /\/suspend$/, { reason: '   ' });
      assert.equal(empty.statusCode, 400);
      assert.match(empty.body, /Give a reason/);
      assert.equal(await t.deps.stores.appSuspensions.find(client.clientId), undefined);

      const shown = await press(page, /\/suspend$/, { reason: 'Secret leaked on a public paste site' });
      assert.match(shown.body, /Suspended by the platform/);
      assert.match(shown.body, /Secret leaked on a public paste site/);
      const refused = await refresh(t, client, tokens.refresh_token);
      assert.equal(refused.statusCode, 400);
      assert.equal(refused.json().error, 'invalid_grant');
      const event = await lastEvent('app.suspended');
      assert.deepEqual([event.appId, event.userId, event.detail], [client.clientId, olga.user.id, { via: 'admin', actor: olga.user.id, reason: 'Secret leaked on a public paste site' }]);
      const filtered = await browser.get(`/admin/services?${new URLSearchParams({ q: client.clientId, suspended: 'yes' })}`);
      assert.ok(filtered.body.includes(`href="/admin/services/${client.clientId}"`));

      const lifted = await press(page, /\/unsuspend$/);
      assert.ok(findForm(lifted.body, /\/suspend$/), 'Suspend is offered again');
      const again = await refresh(t, client, tokens.refresh_token);
      assert.equal(again.statusCode, 200, again.body);
      const unsuspended = await lastEvent('app.unsuspended');
      assert.deepEqual([unsuspended.userId, unsuspended.detail], [olga.user.id, { via: 'admin', actor: olga.user.id }]);
    });

    it('Verify publisher and Withdraw the mark', async () => {
      const page = `/admin/services/${client.clientId}`;
      const verified = await press(page, /\/verify$/);
      assert.match(verified.body, /Withdraw the mark/);
      assert.equal((await t.deps.stores.apps.find(client.clientId))!.verified, true);
      assert.deepEqual((await lastEvent('app.verified')).detail, { via: 'admin', actor: olga.user.id });
      await press(page, /\/unverify$/);
      assert.equal((await t.deps.stores.apps.find(client.clientId))!.verified, false);
      const event = await lastEvent('app.unverified');
      assert.deepEqual([event.appId, event.detail], [client.clientId, { via: 'admin', actor: olga.user.id }]);
    });

    it('People: search by email or name; the page shows sessions, grants, factors and events', async () => {
      const aliceBrowser = new Browser(t);
      assert.equal((await aliceBrowser.signIn('alice@example.com')).statusCode, 303);
      for (const q of ['ALICE@example', 'Alice']) {
        const res = await browser.get(`/admin/people?${new URLSearchParams({ q })}`);
        assert.ok(res.body.includes(`href="/admin/people/${alice.id}"`), q);
      }
      const page = await browser.get(`/admin/people/${alice.id}`);
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /Time Tracker/, 'her grant');
      assert.match(page.body, /Signed in/, 'her events');
      assert.ok(findForm(page.body, /\/end-sessions$/), 'she has a session to end');
      assert.equal((await browser.get('/admin/people/nobody')).statusCode, 404);
      const operators = await browser.get(`/admin/people?${new URLSearchParams({ operators: 'yes' })}`);
      assert.ok(operators.body.includes(`href="/admin/people/${olga.user.id}"`), 'the operators filter lists Olga');
      assert.ok(!operators.body.includes(`href="/admin/people/${alice.id}"`), 'and not Alice');
      assert.match((await browser.get(`/admin/people/${olga.user.id}`)).body, /Platform operator/);
    });

    it('End all sessions signs the person out everywhere, audited', async () => {
      const aliceBrowser = new Browser(t);
      assert.equal((await aliceBrowser.signIn('alice@example.com')).statusCode, 303);
      assert.equal((await aliceBrowser.get('/profile')).statusCode, 200);
      await press(`/admin/people/${alice.id}`, /\/end-sessions$/);
      assert.equal((await aliceBrowser.get('/profile')).statusCode, 302, 'her cookie is signed out');
      assert.deepEqual((await t.deps.stores.sessions.listLive(alice.id, t.clock.now())).length, 0);
      const [event] = await t.deps.stores.audit.listForUser(alice.id, ['user.sessions_ended'], 1);
      assert.equal(event!.detail.via, 'admin');
      assert.equal(event!.detail.actor, olga.user.id);
      assert.ok(Number(event!.detail.sessions_ended) >= 2);
    });

    it('Reset second factor removes TOTP, mails the notice, audited', async () => {
      const tom = await createOperator(t, 'tom@example.com');
      assert.ok(await t.deps.accounts.setPlatformOperator(tom.user, false, { via: 'cli' }));
      await press(`/admin/people/${tom.user.id}`, /\/reset-second-factor$/);
      assert.equal((await t.deps.accounts.secondFactorsOf(tom.user.id)).code, false);
      const [event] = await t.deps.stores.audit.listForUser(tom.user.id, ['user.second_factor_reset'], 1);
      assert.equal(event!.detail.via, 'admin');
      assert.equal(event!.detail.actor, olga.user.id);
      const mails = (await t.deps.stores.outbox.list({ limit: 500 })).filter((m) => m.to === 'tom@example.com');
      assert.ok(mails.length >= 1, 'a notice is queued to the person');
      // Nothing left to reset: the button is gone.
      assert.equal(findForm((await browser.get(`/admin/people/${tom.user.id}`)).body, /\/reset-second-factor$/), undefined);
    });

    it('Disable ends the sessions and refuses the tokens; Enable lets the person sign in again; both audited', async () => {
      const tokens = await obtainTokens(t, { client, user: alice, scopes: ['openid', 'offline_access'] });
      const aliceBrowser = new Browser(t);
      assert.equal((await aliceBrowser.signIn('alice@example.com')).statusCode, 303);
      const disabled = await press(`/admin/people/${alice.id}`, /\/disable$/);
      assert.match(disabled.body, /Disabled/);
      assert.notEqual((await t.deps.stores.users.findById(alice.id))!.disabledAt, null);
      assert.equal((await aliceBrowser.get('/profile')).statusCode, 302);
      assert.equal((await refresh(t, client, tokens.refresh_token)).json().error, 'invalid_grant');
      const listed = async (disabled: string) => (await browser.get(`/admin/people?${new URLSearchParams({ q: 'alice', disabled })}`)).body.includes(`href="/admin/people/${alice.id}"`);
      assert.deepEqual([await listed('yes'), await listed('no')], [true, false], 'the Disabled filter finds her');
      const [off] = await t.deps.stores.audit.listForUser(alice.id, ['user.disabled'], 1);
      assert.deepEqual([off!.detail.via, off!.detail.actor], ['admin', olga.user.id]);

      await press(`/admin/people/${alice.id}`, /\/enable$/);
      assert.equal((await t.deps.stores.users.findById(alice.id))!.disabledAt, null);
      assert.equal((await new Browser(t).signIn('alice@example.com')).statusCode, 303);
      assert.match((await browser.get(`/admin/people/${alice.id}`)).body, /Account enabled, from the operator console/, 'her page lists it');
      const [on] = await t.deps.stores.audit.listForUser(alice.id, ['user.enabled'], 1);
      assert.deepEqual(on!.detail, { via: 'admin', actor: olga.user.id });
    });

    it('an operator revoked by the CLI gets the 404 at the next request', async () => {
      assert.ok(await t.deps.accounts.setPlatformOperator(olga.user, false, { via: 'cli' }));
      assert.equal((await browser.get('/admin/services')).statusCode, 404);
      assert.ok(await t.deps.accounts.setPlatformOperator(olga.user, true, { via: 'cli' }));
      assert.equal((await browser.get('/admin/services')).statusCode, 200);
    });
  });
}
