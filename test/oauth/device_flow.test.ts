/**
 * The device flow's protocol (RFC 8628, issue 17): /device_authorization, every answer of the
 * device_code grant at /token (authorization_pending, slow_down and its growing interval,
 * access_denied, expired_token at exactly expires_in, single use), the opt-in (unauthorized_client),
 * full_access and unverified high-privilege scopes refused (invalid_scope), discovery, and
 * dynamic registration opting in. Approvals go through the real service (services/device_flow.ts),
 * the one the /device page posts to; oauth4webapi runs the client side.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as oauth from 'oauth4webapi';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createClient, createUser, PASSWORD, type TestClient } from '../support/fixtures.ts';
import { postForm } from '../support/codes.ts';
import { digest } from '../../src/crypto/digest.ts';
import { decideDevice } from '../../src/services/device_flow.ts';
import { SqlPurgeStore } from '../../src/persistence/stores/purge.ts';
import type { SignedIn } from '../../src/services/accounts/sessions.ts';
import { USER_CODE_ALPHABET, normalizeUserCode, userCodeDigest } from '../../src/crypto/user_codes.ts';

const insecure = { [oauth.allowInsecureRequests]: true } as const;
const GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

for (const dialect of dialects()) {
  describe(`device flow, RFC 8628 (${dialect})`, () => {
    let t: TestApp;
    let cli: TestClient;
    let bob: SignedIn;
    let as: oauth.AuthorizationServer;

    before(async () => {
      t = await startTestApp({ dialect, listen: true, env: { DEVICE_CODE_TTL: '300' } });
      await createUser(t.deps, 'bob@example.com', 'Bob');
      cli = await createClient(t.deps, { name: 'Work CLI', public: true, redirectUris: ['http://127.0.0.1/callback'], scopes: ['openid', 'offline_access', 'workitems:read', 'workitems:write', 'full_access'] });
      await t.deps.stores.apps.update({ ...cli.app, deviceFlow: true }, t.clock.now());
      t.deps.clients.invalidate(cli.clientId);
      const signIn = await t.deps.accounts.signInWithPassword('bob@example.com', PASSWORD, { interactionId: null, returnTo: null }, { ip: '192.0.2.9', userAgent: 'test' });
      assert.equal(signIn.kind, 'session');
      bob = (await t.deps.accounts.signedIn(signIn.kind === 'session' ? signIn.opened.cookieValue : undefined))!;
      const issuer = new URL(t.issuer);
      as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...insecure }));
    });
    after(() => t.close());

    async function start(scope = 'openid offline_access workitems:read', client: TestClient = cli) {
      const res = await postForm(t, '/device_authorization', client, { scope }, { 'user-agent': 'work-cli/1.0' });
      return { status: res.statusCode, body: res.json() as Record<string, unknown>, headers: res.headers };
    }
    async function poll(deviceCode: string, client: TestClient = cli) {
      const res = await postForm(t, '/token', client, { grant_type: GRANT, device_code: deviceCode });
      return { status: res.statusCode, body: res.json() as Record<string, unknown> };
    }
    async function decide(deviceCode: string, approve: boolean) {
      const device = (await t.deps.stores.deviceAuthorizations.find(digest(deviceCode)))!;
      const choice = approve ? { scopes: device.scopes, terms: { orgIds: 'keep' as const, expiresAt: 'keep' as const } } : undefined;
      const event = { type: 'grant.approved', userId: bob.user.id, appId: cli.clientId, ip: '192.0.2.9', detail: { app: 'Work CLI' } };
      return decideDevice(t.deps, { device, signedIn: bob, shownScopes: device.scopes, choice, event });
    }

    it('discovery advertises the endpoint and the grant type', () => {
      assert.equal(as.device_authorization_endpoint, `${t.issuer}/device_authorization`);
      assert.ok(as.grant_types_supported?.includes(GRANT));
    });

    it('runs end to end with oauth4webapi: pending, approval, tokens, then single use', async () => {
      const client: oauth.Client = { client_id: cli.clientId };
      const started = await oauth.deviceAuthorizationRequest(as, client, oauth.None(), new URLSearchParams({ scope: 'openid offline_access workitems:read' }), insecure);
      const device = await oauth.processDeviceAuthorizationResponse(as, client, started);
      assert.match(device.user_code, new RegExp(`^[${USER_CODE_ALPHABET}]{4}-[${USER_CODE_ALPHABET}]{4}$`));
      assert.match(device.device_code, /^tsd_[A-Za-z0-9_-]{43}$/);
      assert.equal(device.verification_uri, `${t.issuer}/device`);
      assert.equal(device.verification_uri_complete, `${t.issuer}/device?user_code=${device.user_code}`);
      assert.equal(device.expires_in, 300);
      assert.equal(device.interval, 5);
      // Only digests are stored.
      const row = await t.deps.stores.deviceAuthorizations.find(digest(device.device_code));
      assert.equal(row?.userCodeDigest, userCodeDigest(normalizeUserCode(device.user_code)!));
      assert.match(row?.requesterUserAgent ?? '', /^oauth4webapi\//);

      const pending = await oauth.deviceCodeGrantRequest(as, client, oauth.None(), device.device_code, insecure);
      await assert.rejects(oauth.processDeviceCodeResponse(as, client, pending), (err: unknown) => err instanceof oauth.ResponseBodyError && err.error === 'authorization_pending');

      assert.equal((await decide(device.device_code, true)).kind, 'approved');
      t.clock.advance(5);
      const tokens = await oauth.processDeviceCodeResponse(as, client, await oauth.deviceCodeGrantRequest(as, client, oauth.None(), device.device_code, insecure));
      assert.equal(tokens.scope, 'openid offline_access workitems:read');
      assert.ok(tokens.refresh_token);
      assert.equal(oauth.getValidatedIdTokenClaims(tokens)?.sub, bob.user.id);
      const refreshed = await oauth.processRefreshTokenResponse(as, client, await oauth.refreshTokenGrantRequest(as, client, oauth.None(), tokens.refresh_token, insecure));
      assert.ok(refreshed.access_token);

      t.clock.advance(5);
      const again = await poll(device.device_code);
      assert.deepEqual([again.status, again.body.error], [400, 'invalid_grant']);
    });

    it('answers slow_down when polled early, and the interval grows by 5 s each time (§3.5)', async () => {
      const { body } = await start();
      const code = body.device_code as string;
      assert.equal((await poll(code)).body.error, 'authorization_pending');
      assert.equal((await poll(code)).body.error, 'slow_down'); // interval now 10
      t.clock.advance(9);
      assert.equal((await poll(code)).body.error, 'slow_down'); // interval now 15
      t.clock.advance(15);
      assert.equal((await poll(code)).body.error, 'authorization_pending');
      t.clock.advance(14);
      assert.equal((await poll(code)).body.error, 'slow_down');
      assert.equal((await t.deps.stores.deviceAuthorizations.find(digest(code)))?.interval, 20);
    });

    it('answers access_denied once the person denied, and nothing can approve it after', async () => {
      const { body } = await start();
      const code = body.device_code as string;
      assert.equal((await decide(code, false)).kind, 'denied');
      const answer = await poll(code);
      assert.deepEqual([answer.status, answer.body.error], [400, 'access_denied']);
      assert.equal((await decide(code, true)).kind, 'gone');
      t.clock.advance(5);
      assert.equal((await poll(code)).body.error, 'access_denied');
    });

    it('answers expired_token at exactly expires_in, even once approved', async () => {
      // From the start of a second, so a real second ticking by cannot cross the boundary first.
      t.clock.toStartOf(t.clock.now() + 1);
      const { body } = await start();
      const code = body.device_code as string;
      t.clock.advance(299);
      assert.equal((await poll(code)).body.error, 'authorization_pending');
      assert.equal((await decide(code, true)).kind, 'approved');
      t.clock.advance(1);
      assert.equal((await poll(code)).body.error, 'expired_token');
    });

    it('refuses full_access, and other high-privilege scopes from an unverified app (invalid_scope)', async () => {
      for (const scope of ['openid full_access', 'workitems:write', 'openid nope']) {
        const { status, body } = await start(scope);
        assert.deepEqual([status, body.error], [400, 'invalid_scope'], scope);
      }
      await t.deps.stores.apps.setVerified(cli.clientId, true);
      t.deps.clients.invalidate(cli.clientId);
      try {
        assert.equal((await start('workitems:write')).status, 200);
        assert.equal((await start('full_access')).body.error, 'invalid_scope');
      } finally {
        await t.deps.stores.apps.setVerified(cli.clientId, false);
        t.deps.clients.invalidate(cli.clientId);
      }
    });

    it('refuses apps that did not opt in (unauthorized_client), a code of another client and unknown codes', async () => {
      const other = await createClient(t.deps, { public: true, redirectUris: ['http://127.0.0.1/callback'] });
      assert.deepEqual([(await start('openid', other)).status, (await start('openid', other)).body.error], [400, 'unauthorized_client']);
      const { body } = await start();
      assert.equal((await poll(body.device_code as string, other)).body.error, 'unauthorized_client');
      assert.equal((await poll('tsd_' + 'A'.repeat(43))).body.error, 'invalid_grant');
      assert.equal((await poll('not-a-code')).body.error, 'invalid_grant');
      const missing = await postForm(t, '/token', cli, { grant_type: GRANT });
      assert.equal(missing.json().error, 'invalid_request');
      const inQuery = await t.app.inject({ method: 'POST', url: `/token?device_code=${body.device_code as string}`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: `grant_type=${encodeURIComponent(GRANT)}&client_id=${cli.clientId}` });
      assert.equal(inQuery.statusCode, 400);
    });

    it('the janitor drops expired requests, but keeps those that mark a live grant (Manage applications)', async () => {
      const { body } = await start();
      const code = body.device_code as string;
      const purge = new SqlPurgeStore(t.deps.database.db);
      const all = async () => t.deps.database.db.selectFrom('device_authorizations').select(['id', 'grant_id']).execute();
      assert.ok((await all()).some((r) => r.grant_id !== null));
      await purge.purge('device_authorizations', t.clock.now() + 3600, 1000);
      const left = await all();
      assert.ok(left.length > 0 && left.every((r) => r.grant_id !== null), 'only approved rows stay');
      assert.equal(await t.deps.stores.deviceAuthorizations.find(digest(code)), undefined);
      for (const grant of await t.deps.stores.grants.listLive(bob.user.id, t.clock.now())) await t.deps.stores.grants.revoke(grant.id, t.clock.now(), t.clock.now());
      await purge.purge('device_authorizations', t.clock.now() + 3600, 1000);
      assert.deepEqual(await all(), []);
    });

    it('answers GET with 405 and caches nothing', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/device_authorization' });
      assert.equal(res.statusCode, 405);
      const { headers } = await start();
      assert.equal(headers['cache-control'], 'no-store');
    });
  });
}
