/**
 * The device flow's decision follows the step-up rule of the approval page (issue 16 in issue 17's
 * page): approving a high-privilege scope (`workitems:write`) with a session that did not use the
 * account's second factor shows "Confirm it is you" and only Deny, a forged Approve grants nothing
 * and sends the person to confirm, and the device keeps waiting; after confirming with the factor,
 * the person is back on /device with the same code filled in, and approves.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createClient, createUser, PASSWORD, type TestClient } from '../support/fixtures.ts';
import { Browser, findForm } from '../support/browser.ts';
import { postForm } from '../support/codes.ts';
import { totpCode } from '../../src/crypto/totp.ts';
import { STEP_UP_TEXT } from '../../src/interaction/consent/view.tsx';

const GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

for (const dialect of dialects()) {
  describe(`/device decision and step-up (${dialect})`, () => {
    let t: TestApp;
    let cli: TestClient;

    before(async () => {
      t = await startTestApp({ dialect });
      cli = await createClient(t.deps, { name: 'Work CLI', public: true, redirectUris: ['http://127.0.0.1/callback'], scopes: ['openid', 'workitems:read', 'workitems:write'] });
      // A high-privilege scope needs a verified app at /device_authorization.
      await t.deps.stores.apps.update({ ...cli.app, deviceFlow: true }, t.clock.now());
      await t.deps.stores.apps.setVerified(cli.clientId, true);
      t.deps.clients.invalidate(cli.clientId);
    });
    after(() => t.close());

    it('a session without the second factor must confirm before approving workitems:write; then the same code approves', async () => {
      await createUser(t.deps, 'tess@example.com');
      const b = new Browser(t);
      assert.equal((await b.signIn('tess@example.com')).statusCode, 303);
      const setup = await b.follow(await b.submit(await b.get('/profile'), /^\/profile\/totp\/start$/));
      const secret = /class="secret">([A-Z2-7]+)</.exec(setup.body)![1]!;
      assert.equal((await b.submit(setup, /^\/profile\/totp\/confirm$/, { code: totpCode(secret, t.clock.now()) })).statusCode, 200);
      t.clock.advance(30); // the confirming code's step is used

      const started = await postForm(t, '/device_authorization', cli, { scope: 'openid workitems:write' });
      assert.equal(started.statusCode, 200, started.body);
      const { device_code, user_code } = started.json() as { device_code: string; user_code: string };
      const entry = await b.get('/device');
      const page = await b.submit(entry, /^\/device$/, { user_code });
      assert.equal(page.statusCode, 200);
      assert.ok(page.body.includes(STEP_UP_TEXT.second_factor), 'the page says why');
      const form = findForm(page.body, /^\/device\/decision$/)!;
      assert.deepEqual(form.buttons.map((button) => button.value), ['deny'], 'only Deny until the person confirms');
      const confirm = /<a class="button" href="([^"]+)">Confirm it is you<\/a>/.exec(page.body)?.[1]?.replace(/&amp;/g, '&');
      const code = user_code.replace('-', '');
      assert.equal(confirm, `/login?return_to=%2Fdevice%2F${code}&reauth=1`);

      // A forged Approve grants nothing and sends the person to confirm; the device keeps waiting.
      const forged = await b.post(form.action, { ...form.hidden, decision: 'approve' });
      assert.equal(forged.statusCode, 303);
      assert.equal(forged.headers.location, confirm);
      const tess = (await t.deps.stores.users.findByEmail('tess@example.com'))!;
      assert.equal(await t.deps.stores.grants.findLive(tess.id, cli.clientId, t.clock.now()), undefined);
      assert.equal((await postForm(t, '/token', cli, { grant_type: GRANT, device_code })).json().error, 'authorization_pending');

      // Confirmed with the factor, the same code approves.
      const step = await b.submit(await b.get(confirm!), /^\/login$/, { email: 'tess@example.com', password: PASSWORD });
      assert.equal(step.headers.location, '/login/code', 'the password alone is not enough');
      assert.equal((await b.submit(await b.get('/login/code'), /^\/login\/code$/, { code: totpCode(secret, t.clock.now()) })).headers.location, `/device/${code}`);
      const back = await b.get(`/device/${code}`);
      assert.match(back.body, new RegExp(`value="${user_code}"`), 'the code is filled in again');
      // The browser submits the filled-in field.
      const again = await b.submit(back, /^\/device$/, { user_code });
      assert.ok(findForm(again.body, /^\/device\/decision$/)!.buttons.some((button) => button.value === 'approve'));
      const done = await b.submit(again, /^\/device\/decision$/, { decision: 'approve', scope_workitems_write: 'on', lifetime: 'forever' });
      assert.equal(done.statusCode, 200, done.body.slice(0, 500));
      assert.ok((await t.deps.stores.grants.findLive(tess.id, cli.clientId, t.clock.now()))?.scopes.includes('workitems:write'));
    });
  });
}
