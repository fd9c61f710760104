/**
 * The /device confirm page (issue 17) over HTTP: sign-in first and a recent one (the recent-sign-in
 * guard), the code filled in from verification_uri_complete to compare, the confirm page showing
 * the requester's address, user agent and age, the warning, Deny first with the focus; approval
 * through the approval page's rules gives the device its tokens once; denial gives access_denied;
 * a flood of guessed codes gets 429 and approves nothing; the decision's token is bound to its code.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createClient, createUser, type TestClient } from '../support/fixtures.ts';
import { Browser, findForm } from '../support/browser.ts';
import { USER_CODE_ALPHABET } from '../../src/crypto/user_codes.ts';
import { noticeDraft } from '../../src/mail/notices.ts';
import type { NoticeData } from '../../src/domain/mail.ts';

const GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
const DEVICE_IP = '203.0.113.7';

for (const dialect of dialects()) {
  describe(`/device confirm page (${dialect})`, () => {
    let t: TestApp;
    let cli: TestClient;

    before(async () => {
      t = await startTestApp({ dialect });
      await createUser(t.deps, 'bob@example.com', 'Bob');
      await createUser(t.deps, 'eve@example.com', 'Eve');
      cli = await createClient(t.deps, { name: 'Work CLI', public: true, redirectUris: ['http://127.0.0.1/callback'], scopes: ['openid', 'offline_access', 'workitems:read'] });
      await t.deps.stores.apps.update({ ...cli.app, deviceFlow: true }, t.clock.now());
      t.deps.clients.invalidate(cli.clientId);
    });
    after(() => t.close());

    async function start(): Promise<{ device_code: string; user_code: string; verification_uri_complete: string }> {
      const res = await t.app.inject({
        method: 'POST',
        url: '/device_authorization',
        remoteAddress: DEVICE_IP,
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'work-cli/1.4 (linux)' },
        payload: new URLSearchParams({ client_id: cli.clientId, scope: 'openid offline_access workitems:read' }).toString(),
      });
      assert.equal(res.statusCode, 200, res.body);
      return res.json();
    }
    async function poll(deviceCode: string) {
      t.clock.advance(5);
      const res = await t.app.inject({
        method: 'POST',
        url: '/token',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ grant_type: GRANT, device_code: deviceCode, client_id: cli.clientId }).toString(),
      });
      return res.json() as Record<string, string>;
    }
    async function signedIn(email: string): Promise<Browser> {
      const browser = new Browser(t);
      assert.equal((await browser.signIn(email)).statusCode, 303);
      return browser;
    }
    async function confirmPage(browser: Browser, userCode: string) {
      const entry = await browser.get(`/device?user_code=${encodeURIComponent(userCode)}`);
      return browser.submit(entry, /^\/device$/, { user_code: userCode });
    }

    it('sends a person without a session to sign in, and back to /device with the code still filled in', async () => {
      const res = await new Browser(t).get('/device');
      assert.equal(res.statusCode, 302);
      assert.equal(res.headers.location, '/login?return_to=%2Fdevice');
      const browser = new Browser(t);
      const withCode = await browser.get('/device?user_code=bcdf-ghjk');
      assert.equal(withCode.headers.location, '/login?return_to=%2Fdevice%2FBCDFGHJK');
      const signedIn = await browser.follow(await browser.signInOn(await browser.get(withCode.headers.location as string), 'bob@example.com'));
      assert.match(signedIn.body, /name="user_code" value="BCDF-GHJK"/);
      assert.match(signedIn.body, /Check that this code is exactly the one shown on your device/);
    });

    it('fills in the code to compare, shows who asked and from where, with Deny first; approving gives the device its tokens, once', async () => {
      const browser = await signedIn('bob@example.com');
      // From the start of a second: the age shown is whole seconds of the clock, which real time moves too.
      t.clock.toStartOf(t.clock.now() + 1);
      const device = await start();
      const entry = await browser.get(new URL(device.verification_uri_complete).pathname + new URL(device.verification_uri_complete).search);
      assert.equal(entry.statusCode, 200);
      assert.match(entry.body, /Check that this code is exactly the one shown on your device/);
      assert.match(entry.body, new RegExp(`name="user_code" value="${device.user_code}"`));
      t.clock.advance(42);
      const page = await browser.submit(entry, /^\/device$/, { user_code: device.user_code.toLowerCase().replace('-', ' ') });
      assert.equal(page.statusCode, 200, page.body.slice(0, 500));
      assert.match(page.body, /Work CLI/);
      assert.match(page.body, /Test Publisher/);
      assert.match(page.body, new RegExp(`id="requester-ip">${DEVICE_IP.replaceAll('.', '\\.')}<`));
      assert.match(page.body, /id="requester-agent">work-cli\/1\.4 \(linux\)</);
      assert.match(page.body, /id="requester-age">4[23] seconds ago</, 'a real second may tick by on a loaded machine');
      assert.match(page.body, /Only continue if you started this on a device you own, just now\. If someone sent you this code, deny\./);
      assert.match(page.body, /Read work items in your organizations\./);
      assert.match(page.body, /<button type="submit" name="decision" value="deny" autofocus[^>]*>Deny<\/button><button type="submit" name="decision" value="approve">Approve/);
      assert.equal((await poll(device.device_code)).error, 'authorization_pending');

      const done = await browser.submit(page, /^\/device\/decision$/, { decision: 'approve', scope_offline_access: 'on', scope_workitems_read: 'on', lifetime: 'forever' });
      assert.equal(done.statusCode, 200);
      assert.match(done.body, /Device connected/);
      const tokens = await poll(device.device_code);
      assert.ok(tokens.access_token, JSON.stringify(tokens));
      assert.equal(tokens.scope, 'openid offline_access workitems:read');
      assert.equal((await poll(device.device_code)).error, 'invalid_grant');
      // The same form again: the request is closed, nothing more is granted.
      const again = await browser.submit(page, /^\/device\/decision$/, { decision: 'approve' });
      assert.equal(again.statusCode, 410);

      // The notice, written with the approval (domain/notices.ts), names the app and the device.
      const notices = (await t.deps.stores.outbox.list({ limit: 100 })).filter((m) => m.kind === 'notice' && m.to === 'bob@example.com' && m.data.event === 'device.signed_in');
      assert.equal(notices.length, 1);
      const draft = noticeDraft(notices[0]!.data as NoticeData, 'bob@example.com', t.issuer, t.config.brand.productName);
      assert.equal(draft.subject, 'Work CLI was signed in on a device');
      assert.match(JSON.stringify(draft.paragraphs), /from the address 203\.0\.113\.7 \(work-cli\/1\.4 \(linux\)\)/);
      assert.match(JSON.stringify(draft.paragraphs), /Read work items in your organizations\./);
      // One mail for one sign-in: the grant's own "authorized" notice is not sent as well.
      const grantNotices = (await t.deps.stores.outbox.list({ limit: 100 })).filter((m) => m.kind === 'notice' && m.to === 'bob@example.com' && ['grant.approved', 'device.signed_in'].includes(m.data.event as string));
      assert.equal(grantNotices.length, 1);

      // Manage applications marks the grant, and the same Revoke ends the device's tokens.
      const apps = await browser.get('/profile/applications');
      assert.match(apps.body, /<dt>Signed in on a device<\/dt><dd class="device">From 203\.0\.113\.7 \(work-cli\/1\.4 \(linux\)\)<\/dd>/);
      const grant = (await t.deps.stores.grants.listLive((await t.deps.stores.users.findByEmail('bob@example.com'))!.id, t.clock.now()))[0]!;
      const confirm = await browser.get(`/profile/applications/${grant.id}/revoke`);
      assert.equal((await browser.submit(confirm, new RegExp(`^/profile/applications/${grant.id}/revoke$`))).statusCode, 303);
      const refreshed = await t.app.inject({
        method: 'POST',
        url: '/token',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token!, client_id: cli.clientId }).toString(),
      });
      assert.equal(refreshed.json().error, 'invalid_grant');
    });

    it('denying gives the device access_denied', async () => {
      const device = await start();
      const browser = await signedIn('bob@example.com');
      const page = await confirmPage(browser, device.user_code);
      const done = await browser.submit(page, /^\/device\/decision$/, { decision: 'deny' });
      assert.match(done.body, /Request denied/);
      assert.equal((await poll(device.device_code)).error, 'access_denied');
      const notices = (await t.deps.stores.outbox.list({ limit: 100 })).filter((m) => m.kind === 'notice' && m.data.event === 'device.signed_in');
      assert.equal(notices.length, 1, 'only the approval of the test before mailed one');
    });

    it("the decision's token is bound to its code: another code with it is refused", async () => {
      const first = await start();
      const second = await start();
      const browser = await signedIn('bob@example.com');
      const page = await confirmPage(browser, first.user_code);
      const form = findForm(page.body, /^\/device\/decision$/)!;
      const forged = await browser.post(form.action, { ...form.hidden, user_code: second.user_code, decision: 'approve' });
      assert.equal(forged.statusCode, 403);
      assert.equal((await poll(second.device_code)).error, 'authorization_pending');
    });

    it('asks for a recent sign-in before showing anything', async () => {
      const browser = await signedIn('bob@example.com');
      t.clock.advance(t.config.ttl.stepUp + 1);
      const res = await browser.get('/device');
      assert.equal(res.statusCode, 302);
      assert.equal(res.headers.location, '/login?return_to=%2Fdevice&reauth=1');
    });

    it('throttles guessing: a flood of random codes gets 429, and nothing was approved', async () => {
      const device = await start();
      const browser = await signedIn('eve@example.com');
      const entry = await browser.get('/device');
      const statuses: number[] = [];
      for (let i = 0; i < 15; i++) {
        let guess = '';
        for (let j = 0; j < 8; j++) guess += USER_CODE_ALPHABET[Math.floor(Math.random() * USER_CODE_ALPHABET.length)];
        statuses.push((await browser.submit(entry, /^\/device$/, { user_code: guess })).statusCode);
      }
      assert.ok(statuses.slice(0, 10).every((s) => s === 400), statuses.join(','));
      assert.ok(statuses.slice(10).every((s) => s === 429), statuses.join(','));
      // Past the limit even the right code is not looked up.
      assert.equal((await browser.submit(entry, /^\/device$/, { user_code: device.user_code })).statusCode, 429);
      assert.equal((await poll(device.device_code)).error, 'authorization_pending');
    });
  });
}
