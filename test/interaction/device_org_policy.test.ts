/**
 * Issue 17: organization policy can turn the device flow off. An owner turns it off on the
 * settings page (or `tessera org policy --device-flow off`); a member's confirm page on /device
 * then lists that organization as left out and says why, and whatever the form says ("all my
 * organizations" included) the grant and the device's access token leave it out.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createClient, createUser, type TestClient } from '../support/fixtures.ts';
import { Browser, hiddenInputs } from '../support/browser.ts';
import type { Organization } from '../../src/domain/organizations.ts';
import type { User } from '../../src/domain/users.ts';
import { CliTarget } from '../cli/cli.ts';

const GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

function claims(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
}

for (const dialect of dialects()) {
  describe(`device flow off per organization (${dialect})`, () => {
    let t: TestApp;
    let cli: TestClient;
    let bob: User;
    let acme: Organization;
    let secure: Organization;

    before(async () => {
      t = await startTestApp({ dialect });
      const now = t.clock.now();
      const dana = await createUser(t.deps, 'dana@example.com', 'Dana');
      bob = await createUser(t.deps, 'bob@example.com', 'Bob');
      acme = (await t.deps.stores.organizations.create({ slug: 'acme', name: 'Acme Corp', ownerUserId: dana.id }, now))!;
      secure = (await t.deps.stores.organizations.create({ slug: 'secure', name: 'Secure Ops', ownerUserId: dana.id }, now))!;
      await t.deps.stores.organizations.setMember(acme.id, bob.id, 'member', now);
      await t.deps.stores.organizations.setMember(secure.id, bob.id, 'member', now);
      cli = await createClient(t.deps, { name: 'Work CLI', public: true, redirectUris: ['http://127.0.0.1/callback'], scopes: ['openid', 'workitems:read'] });
      await t.deps.stores.apps.update({ ...cli.app, deviceFlow: true }, now);
      t.deps.clients.invalidate(cli.clientId);
    });
    after(() => t.close());

    it("an owner turns it off on the settings page; the member's approval and token leave that organization out", async () => {
      const owner = new Browser(t);
      await owner.signIn('dana@example.com');
      const settings = await owner.get('/orgs/secure/settings');
      assert.match(settings.body, /Sign-ins on a device/);
      const saved = await owner.post('/orgs/secure/settings/device-flow', { ...hiddenInputs(settings.body, /\/settings\/device-flow$/), device_flow: 'off' });
      assert.equal(saved.statusCode, 303);
      assert.equal((await t.deps.stores.organizations.policyOf(secure.id)).deviceFlowOff, true);
      assert.match((await owner.get('/orgs/secure/settings')).body, /Off: when someone signs a service in on a device/);

      const res = await t.app.inject({
        method: 'POST',
        url: '/device_authorization',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ client_id: cli.clientId, scope: 'openid workitems:read' }).toString(),
      });
      const device = res.json() as { device_code: string; user_code: string };
      const member = new Browser(t);
      await member.signIn('bob@example.com');
      const page = await member.submit(await member.get('/device'), /^\/device$/, { user_code: device.user_code });
      assert.match(page.body, /<strong>Secure Ops<\/strong>: Its owners do not allow sign-ins on a device for it\./);
      assert.match(page.body, new RegExp(`name="org_${acme.id}"`));
      assert.doesNotMatch(page.body, new RegExp(`name="org_${secure.id}"`));
      // "All my organizations" with every offered one ticked: still not Secure Ops.
      const done = await member.submit(page, /^\/device\/decision$/, { decision: 'approve', orgs: 'all', [`org_${acme.id}`]: 'on', scope_workitems_read: 'on', lifetime: 'forever' });
      assert.match(done.body, /Device connected/);
      const grant = (await t.deps.stores.grants.listLive(bob.id, t.clock.now()))[0]!;
      assert.deepEqual(grant.orgIds, [acme.id]);

      t.clock.advance(5);
      const token = await t.app.inject({
        method: 'POST',
        url: '/token',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ grant_type: GRANT, device_code: device.device_code, client_id: cli.clientId }).toString(),
      });
      assert.deepEqual(claims(token.json().access_token as string).orgs, [acme.id]);
    });
  });

  describe(`tessera org policy --device-flow (${dialect})`, () => {
    let target: CliTarget;
    let server: TestApp | undefined;
    before(async () => {
      target = await CliTarget.create(dialect);
    });
    after(() => server?.close());

    it('turns it off and on again', async () => {
      await target.json(['user', 'create', '--email', 'owner@example.com', '--name', 'Owner', '--password', 'long enough password']);
      await target.json(['org', 'create', '--slug', 'acme', '--name', 'Acme', '--owner', 'owner@example.com']);
      assert.deepEqual(await target.json(['org', 'policy', '--org', 'acme', '--device-flow', 'off']), { org: 'acme', device_flow: 'off' });
      server = await target.startApp();
      const org = (await server.deps.stores.organizations.findBySlug('acme'))!;
      assert.equal((await server.deps.stores.organizations.policyOf(org.id)).deviceFlowOff, true);
      await target.json(['org', 'policy', '--org', 'acme', '--device-flow', 'on']);
      assert.equal((await server.deps.stores.organizations.policyOf(org.id)).deviceFlowOff, false);
      const bad = await target.run(['org', 'policy', '--org', 'acme', '--device-flow', 'maybe']);
      assert.notEqual(bad.code, 0);
    });
  });
}
