/**
 * Security events to services (issue 19: SSF push, CAEP) over real HTTP, both dialects. A
 * receiver started here on loopback plays each app's `ssf_endpoint_url` and validates every SET
 * with jose against Tessera's JWKS (test/support/ssf_receiver.ts): signature, `typ`, `iss`, `aud`,
 * `sub_id`, one CAEP event, `jti` seen once. Each change is made the way a person or a service
 * makes it: Manage applications, the token endpoint, /revoke, an organization's settings page.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createClient, createUser, type TestClient } from '../support/fixtures.ts';
import { Browser, authorizeUrl, codeRequest, findForm, isSignInPage, type Response } from '../support/browser.ts';
import { obtainTokens, postForm, refresh } from '../support/codes.ts';
import { SsfReceiver } from '../support/ssf_receiver.ts';
import { SqlAuditLog } from '../../src/persistence/stores/audit_log.ts';
import { deleteApp } from '../../src/services/apps.ts';
import { digest } from '../../src/crypto/digest.ts';
import { randomToken } from '../../src/crypto/random.ts';
import { orgFormToken } from '../../src/interaction/orgs/access.ts';
import type { User } from '../../src/domain/users.ts';
import type { Organization } from '../../src/domain/organizations.ts';

const REDIRECT = 'https://rp.example/callback';
const SCOPES = ['openid', 'offline_access', 'orgs:read', 'workitems:read', 'workitems:write'];
const REVOKED = 'https://schemas.openid.net/secevent/caep/event-type/session-revoked';
const CLAIMS_CHANGE = 'https://schemas.openid.net/secevent/caep/event-type/token-claims-change';

async function until(what: string, check: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  assert.fail(`timed out waiting for ${what}`);
}

for (const dialect of dialects()) {
  describe(`Security events to services (${dialect})`, () => {
    let t: TestApp;
    let receiver: SsfReceiver;
    let alice: User;
    let acme: Organization;
    let globex: Organization;

    before(async () => {
      t = await startTestApp({ dialect, listen: true, env: { DYNAMIC_REGISTRATION: 'on', OUTBOUND_POLL_MS: '100', OUTBOUND_RETRY_SECONDS: '1', OUTBOUND_TIMEOUT_MS: '1000', OUTBOUND_CONNECT_MS: '1000' } });
      alice = await createUser(t.deps, 'alice@example.com', 'Alice');
      acme = (await t.deps.stores.organizations.create({ slug: 'acme', name: 'Acme', ownerUserId: alice.id }, t.clock.now()))!;
      globex = (await t.deps.stores.organizations.create({ slug: 'globex', name: 'Globex', ownerUserId: alice.id }, t.clock.now()))!;
      receiver = new SsfReceiver(t);
      await receiver.start();
    });
    after(async () => {
      await t.close();
      await receiver.close();
    });

    /** An app with its events at `path`, and alice's grant to it with real tokens. */
    async function authorized(path: string) {
      const client: TestClient = await createClient(t.deps, { name: `RP ${path}`, redirectUris: [REDIRECT], ssfEndpointUrl: receiver.url(path) });
      receiver.audiences.set(path, client.clientId);
      const tokens = await obtainTokens(t, { client, user: alice, scopes: SCOPES });
      return { client, tokens };
    }

    async function signedIn(): Promise<Browser> {
      const browser = new Browser(t);
      assert.equal((await browser.signIn('alice@example.com')).statusCode, 303);
      return browser;
    }

    function form(page: Response, action: string) {
      const found = findForm(page.body, new RegExp(`^${action.replace(/[/.]/g, '\\$&')}$`));
      assert.ok(found, `no form ${action} on:\n${page.body.slice(0, 1500)}`);
      return found;
    }

    /** Revokes in Manage applications; the milliseconds the confirming POST took. */
    async function revokeInManageApplications(browser: Browser, grantId: string): Promise<number> {
      const confirm = await browser.get(`/profile/applications/${grantId}/revoke`);
      const revokeForm = form(confirm, `/profile/applications/${grantId}/revoke`);
      const started = performance.now();
      const done = await browser.post(revokeForm.action, revokeForm.hidden);
      const took = performance.now() - started;
      assert.equal(done.statusCode, 303);
      return took;
    }

    it('a revoke in Manage applications pushes session-revoked, initiated by the user, and audits the delivery', async () => {
      const { client, tokens } = await authorized('/revoke-ui');
      const browser = await signedIn();
      await revokeInManageApplications(browser, tokens.grantId);
      await until('session-revoked', () => receiver.at('/revoke-ui').length === 1);
      const [got] = receiver.at('/revoke-ui');
      assert.equal(got!.type, REVOKED);
      assert.equal(got!.claims.aud, client.clientId);
      assert.deepEqual(got!.claims.sub_id, { format: 'iss_sub', iss: t.issuer, sub: alice.id });
      assert.equal(got!.event.initiating_entity, 'user');
      assert.match(String((got!.event.reason_admin as { en: string }).en), /Manage applications/);
      const delivery = (await t.deps.stores.outboundDeliveries.list({ appId: client.clientId, limit: 5 }))[0]!;
      assert.equal(got!.claims.jti, delivery.id, 'the jti is the delivery id');
      await until('delivered', async () => (await t.deps.stores.outboundDeliveries.list({ appId: client.clientId, limit: 5 }))[0]!.status === 'delivered');
      const audited = await new SqlAuditLog(t.deps.database.db).list({ type: 'security_event.delivered', limit: 50 });
      const mine = audited.find((e) => e.appId === client.clientId);
      assert.equal(mine?.detail.status, 202);
      assert.equal(mine?.detail.event, REVOKED);
      assert.deepEqual(receiver.problems, []);
    });

    it('deleting the app pushes session-revoked for each live grant, initiated by an admin, though the app is gone', async () => {
      const { client } = await authorized('/deleted');
      await deleteApp(t.deps, undefined, (await t.deps.stores.apps.find(client.clientId))!, '203.0.113.9');
      assert.equal(await t.deps.stores.apps.find(client.clientId), undefined, 'the app is gone');
      await until('session-revoked', () => receiver.at('/deleted').length === 1);
      const [got] = receiver.at('/deleted');
      assert.equal(got!.type, REVOKED);
      assert.equal(got!.claims.aud, client.clientId);
      assert.equal(got!.event.initiating_entity, 'admin');
      assert.match(String((got!.event.reason_admin as { en: string }).en), /deleted/);
      assert.deepEqual(receiver.problems, []);
    });

    it('narrowing in Manage applications pushes token-claims-change with the new scope and organizations', async () => {
      const { tokens } = await authorized('/narrow');
      const browser = await signedIn();
      const page = await browser.get(`/profile/applications/${tokens.grantId}`);
      const edit = form(page, `/profile/applications/${tokens.grantId}/edit`);
      const fields: Record<string, string> = { ...edit.hidden, orgs: 'some' };
      delete fields['scope_workitems:write'];
      delete fields[`org_${globex.id}`];
      assert.equal((await browser.post(edit.action, fields)).statusCode, 303);
      await until('token-claims-change', () => receiver.at('/narrow').length === 1);
      const [got] = receiver.at('/narrow');
      assert.equal(got!.type, CLAIMS_CHANGE);
      assert.deepEqual(got!.event.claims, { scope: 'openid offline_access orgs:read workitems:read', orgs: [acme.id] });
      assert.equal(got!.event.initiating_entity, 'user');
      // Saving the same again takes nothing away and sends nothing.
      const again = form(await browser.get(`/profile/applications/${tokens.grantId}`), `/profile/applications/${tokens.grantId}/edit`);
      await browser.post(again.action, again.hidden);
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(receiver.at('/narrow').length, 1);
    });

    it('approving again with fewer organizations pushes token-claims-change from the approval page', async () => {
      const client = await createClient(t.deps, { name: 'RP /reapprove', redirectUris: [REDIRECT], ssfEndpointUrl: receiver.url('/reapprove') });
      receiver.audiences.set('/reapprove', client.clientId);
      const browser = new Browser(t);
      const approve = async (untick: string[], set: Record<string, string>) => {
        const start = await browser.get(authorizeUrl(codeRequest(client.clientId, REDIRECT, { scope: 'openid orgs:read workitems:read', prompt: 'consent' }).params));
        const page = isSignInPage(start) ? await browser.follow(await browser.signInOn(start, 'alice@example.com')) : start;
        const decision = findForm(page.body, /^\/interaction\/[^/]+\/decision$/);
        assert.ok(decision, page.body.slice(0, 1000));
        const fields: Record<string, string> = { ...decision.hidden, ...set, decision: 'approve' };
        for (const name of untick) delete fields[name];
        assert.equal((await browser.post(decision.action, fields)).statusCode, 303);
      };
      await approve([], {});
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(receiver.at('/reapprove').length, 0, 'a first approval takes nothing away');
      await approve([`org_${globex.id}`], { orgs: 'some' });
      await until('token-claims-change', () => receiver.at('/reapprove').length === 1);
      const [got] = receiver.at('/reapprove');
      assert.equal(got!.type, CLAIMS_CHANGE);
      assert.deepEqual(got!.event.claims, { scope: 'openid orgs:read workitems:read', orgs: [acme.id] });
      assert.match(String((got!.event.reason_admin as { en: string }).en), /approved the service again/);
    });

    it('approving a device sign-in for fewer organizations narrows the grant and pushes token-claims-change', async () => {
      const cli = await createClient(t.deps, { name: 'Work CLI', public: true, redirectUris: ['http://127.0.0.1/callback'], scopes: ['openid', 'offline_access', 'workitems:read'], ssfEndpointUrl: receiver.url('/device') });
      await t.deps.stores.apps.update({ ...cli.app, deviceFlow: true }, t.clock.now());
      t.deps.clients.invalidate(cli.clientId);
      receiver.audiences.set('/device', cli.clientId);
      const browser = await signedIn();
      const approveDevice = async (set: Record<string, string>, untick: string[]) => {
        const started = await t.app.inject({
          method: 'POST',
          url: '/device_authorization',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          payload: new URLSearchParams({ client_id: cli.clientId, scope: 'openid offline_access workitems:read' }).toString(),
        });
        assert.equal(started.statusCode, 200, started.body);
        const userCode = (started.json() as { user_code: string }).user_code;
        const entry = await browser.get(`/device?user_code=${encodeURIComponent(userCode)}`);
        const page = await browser.submit(entry, /^\/device$/, { user_code: userCode });
        assert.equal(page.statusCode, 200, page.body.slice(0, 500));
        const decision = findForm(page.body, /^\/device\/decision$/);
        assert.ok(decision, page.body.slice(0, 1000));
        const fields: Record<string, string> = { ...decision.hidden, decision: 'approve', lifetime: 'forever', ...set };
        for (const name of untick) delete fields[name];
        const done = await browser.post(decision.action, fields);
        assert.equal(done.statusCode, 200, done.body.slice(0, 500));
      };
      await approveDevice({}, []);
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(receiver.at('/device').length, 0, 'a first approval takes nothing away');
      await approveDevice({ orgs: 'some' }, [`org_${globex.id}`]);
      await until('token-claims-change', () => receiver.at('/device').length === 1);
      const [got] = receiver.at('/device');
      assert.equal(got!.type, CLAIMS_CHANGE);
      assert.deepEqual(got!.event.claims, { scope: 'openid offline_access workitems:read', orgs: [acme.id] });
      assert.equal(got!.event.initiating_entity, 'user');
    });

    it('a refresh token used twice revokes the grant and pushes session-revoked, initiated by the system', async () => {
      const { client, tokens } = await authorized('/reuse');
      assert.equal((await refresh(t, client, tokens.refresh_token)).statusCode, 200);
      const reused = await refresh(t, client, tokens.refresh_token);
      assert.equal(reused.statusCode, 400);
      await until('session-revoked', () => receiver.at('/reuse').length === 1);
      const [got] = receiver.at('/reuse');
      assert.equal(got!.type, REVOKED);
      assert.equal(got!.event.initiating_entity, 'system');
      assert.match(String((got!.event.reason_admin as { en: string }).en), /refresh token was used twice/);
    });

    it("a service's own revocation at /revoke also gets session-revoked (documented choice)", async () => {
      const { client, tokens } = await authorized('/self');
      const res = await postForm(t, '/revoke', client, { token: tokens.refresh_token, token_type_hint: 'refresh_token' });
      assert.equal(res.statusCode, 200);
      await until('session-revoked', () => receiver.at('/self').length === 1);
      assert.equal(receiver.at('/self')[0]!.event.initiating_entity, 'system');
    });

    it("an organization owner's cut-off pushes token-claims-change naming the organization unreachable", async () => {
      const { client } = await authorized('/cutoff');
      const owner = await signedIn();
      const token = orgFormToken(t.deps, digest(owner.sessionCookie()!.value), acme.slug, '');
      const res = await owner.post(`/orgs/${acme.slug}/settings/apps`, { token, client_id: client.clientId, action: 'block' });
      assert.equal(res.statusCode, 303, res.body);
      await until('token-claims-change', () => receiver.at('/cutoff').length === 1);
      const [got] = receiver.at('/cutoff');
      assert.equal(got!.type, CLAIMS_CHANGE);
      assert.equal(got!.event.initiating_entity, 'policy');
      // The grant covers every organization (no `orgs`), and Acme is no longer reachable.
      assert.deepEqual(got!.event.claims, { scope: SCOPES.join(' '), orgs_unreachable: [acme.id] });
      // Cutting it off again tells nothing new.
      await owner.post(`/orgs/${acme.slug}/settings/apps`, { token, client_id: client.clientId, action: 'block' });
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(receiver.at('/cutoff').length, 1);
    });

    it("a stricter organization policy, or an approval withdrawn under it, tells each service it keeps out", async () => {
      const { client } = await authorized('/policy');
      const owner = await signedIn();
      const token = orgFormToken(t.deps, digest(owner.sessionCookie()!.value), globex.slug, '');
      const settings = `/orgs/${globex.slug}/settings`;
      // The page first says what it stops (issue 20); the owner confirms.
      assert.match((await owner.post(`${settings}/policy`, { token, third_party: 'approved' })).body, /This stops \d services? used by/);
      assert.equal((await owner.post(`${settings}/policy`, { token, third_party: 'approved', confirm: 'yes' })).statusCode, 303);
      await until('token-claims-change', () => receiver.at('/policy').length === 1);
      const [got] = receiver.at('/policy');
      assert.equal(got!.type, CLAIMS_CHANGE);
      assert.equal(got!.event.initiating_entity, 'policy');
      assert.deepEqual(got!.event.claims, { scope: SCOPES.join(' '), orgs_unreachable: [globex.id] });
      // Approved: let in again, nothing to say. Withdrawn: kept out again, said again.
      assert.equal((await owner.post(`${settings}/apps`, { token, client_id: client.clientId, action: 'approve' })).statusCode, 303);
      assert.equal((await owner.post(`${settings}/apps`, { token, client_id: client.clientId, action: 'withdraw' })).statusCode, 303);
      await until('a second token-claims-change', () => receiver.at('/policy').length === 2);
      // From "approved only" to "deny": it was already kept out, nothing new.
      assert.equal((await owner.post(`${settings}/policy`, { token, third_party: 'deny', confirm: 'yes' })).statusCode, 303);
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(receiver.at('/policy').length, 2);
      assert.equal((await owner.post(`${settings}/policy`, { token, third_party: 'allow' })).statusCode, 303);
    });

    it('a receiver that is down gets the event once it is back: nothing is lost, the same jti', async () => {
      const { tokens } = await authorized('/flaky');
      receiver.modes.set('/flaky', 'down');
      const hits = receiver.hits;
      await revokeInManageApplications(await signedIn(), tokens.grantId);
      await until('a failed attempt', () => receiver.hits > hits);
      const row = async () => (await t.deps.stores.outboundDeliveries.list({ appId: receiver.audiences.get('/flaky')!, limit: 5 }))[0]!;
      await until('the failed attempt recorded', async () => (await row()).lastStatus !== null);
      const pending = await row();
      assert.equal(pending.status, 'pending');
      assert.equal(pending.lastStatus, 503);
      receiver.modes.set('/flaky', 'ok');
      await until('the event after the outage', () => receiver.at('/flaky').length === 1, 8000);
      assert.equal(receiver.at('/flaky')[0]!.claims.jti, pending.id);
      assert.deepEqual(receiver.problems, []);
    });

    it('a receiver that hangs does not slow the revoke page', async () => {
      const { tokens } = await authorized('/hang');
      receiver.modes.set('/hang', 'hang');
      const took = await revokeInManageApplications(await signedIn(), tokens.grantId);
      assert.ok(took < 500, `the revoke answered in ${took.toFixed(0)} ms`);
      await until('the hanging request', () => receiver.hanging.length > 0);
    });

    it('a 400 with an RFC 8935 §2.3 error fails the delivery at once, its err code audited', async () => {
      const { client, tokens } = await authorized('/refuses');
      receiver.modes.set('/refuses', 'reject');
      await revokeInManageApplications(await signedIn(), tokens.grantId);
      await until('failed', async () => (await t.deps.stores.outboundDeliveries.list({ appId: client.clientId, limit: 1 }))[0]?.status === 'failed');
      const [row] = await t.deps.stores.outboundDeliveries.list({ appId: client.clientId, limit: 1 });
      assert.equal(row!.attempts, 1, 'not retried');
      const events = await new SqlAuditLog(t.deps.database.db).list({ type: 'security_event.failed', limit: 50 });
      assert.equal(events.find((e) => e.appId === client.clientId)?.detail.err, 'invalid_audience');
    });

    it('a redirect is not followed and the delivery stays pending', async () => {
      const { client, tokens } = await authorized('/moved');
      receiver.modes.set('/moved', 'redirect');
      const hits = receiver.hits;
      await revokeInManageApplications(await signedIn(), tokens.grantId);
      await until('the redirecting answer', () => receiver.hits > hits);
      await until('the attempt recorded', async () => (await t.deps.stores.outboundDeliveries.list({ appId: client.clientId, limit: 1 }))[0]!.lastStatus !== null);
      const [row] = await t.deps.stores.outboundDeliveries.list({ appId: client.clientId, limit: 1 });
      assert.equal(row!.status, 'pending');
      assert.equal(row!.lastStatus, 302);
      assert.equal(receiver.received.filter((r) => r.path === '/followed').length, 0);
    });

    it('an app without an endpoint gets no event', async () => {
      const client = await createClient(t.deps, { name: 'No SSF', redirectUris: [REDIRECT] });
      const tokens = await obtainTokens(t, { client, user: alice, scopes: SCOPES });
      await revokeInManageApplications(await signedIn(), tokens.grantId);
      assert.deepEqual(await t.deps.stores.outboundDeliveries.list({ appId: client.clientId, limit: 5 }), []);
    });

    it('dynamic registration takes ssf_endpoint_url (RFC 7592 reads and changes it) and refuses a private address', async () => {
      const token = randomToken('initialAccessToken');
      await t.deps.stores.apps.createRegistrationToken({ digest: digest(token), kind: 'initial', appId: null, expiresAt: t.clock.now() + 600 }, t.clock.now());
      const register = (metadata: Record<string, unknown>) =>
        fetch(`${t.issuer}/register`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ client_name: 'RP', redirect_uris: [REDIRECT], ...metadata }),
        });
      for (const uri of ['https://10.0.0.1/ssf', 'https://192.168.1.20/ssf', 'https://[fd12::1]/ssf', 'https://169.254.169.254/ssf', 'http://rp.example/ssf', null, 42]) {
        const res = await register({ ssf_endpoint_url: uri });
        assert.equal(res.status, 400, String(uri));
        const body = (await res.json()) as { error: string; error_description: string };
        assert.equal(body.error, 'invalid_client_metadata', String(uri));
        assert.match(body.error_description, /^ssf_endpoint_url/);
      }
      const res = await register({ ssf_endpoint_url: 'https://rp.example/ssf' });
      assert.equal(res.status, 201);
      const info = (await res.json()) as Record<string, unknown>;
      assert.equal(info.ssf_endpoint_url, 'https://rp.example/ssf');
      const manage = { authorization: `Bearer ${String(info.registration_access_token)}` };
      const read = (await (await fetch(String(info.registration_client_uri), { headers: manage })).json()) as Record<string, unknown>;
      assert.equal(read.ssf_endpoint_url, 'https://rp.example/ssf');
      const put = (body: Record<string, unknown>) =>
        fetch(String(info.registration_client_uri), { method: 'PUT', headers: { ...manage, 'content-type': 'application/json' }, body: JSON.stringify({ client_id: info.client_id, client_name: 'RP', redirect_uris: [REDIRECT], ...body }) });
      assert.equal((await put({ ssf_endpoint_url: 'https://10.1.2.3/ssf' })).status, 400);
      assert.equal((await t.deps.stores.apps.find(String(info.client_id)))!.ssfEndpointUrl, 'https://rp.example/ssf');
      const cleared = (await (await put({})).json()) as Record<string, unknown>;
      assert.equal(cleared.ssf_endpoint_url, undefined, 'RFC 7592 §2.2: an omitted field is removed');
      assert.equal((await t.deps.stores.apps.find(String(info.client_id)))!.ssfEndpointUrl, null);
    });

    it('every SET seen was valid, no jti twice', () => {
      assert.deepEqual(receiver.problems, []);
    });
  });
}
