/**
 * OpenID Connect Back-Channel Logout 1.0 (issue 19) over real HTTP, both dialects. A receiver
 * started here on loopback plays each app's back-channel logout URI and validates every token it
 * gets the way an app must (§2.6): the signature against Tessera's JWKS fetched over HTTP, `typ`
 * logout+jwt, `iss`, `aud`, `iat`/`exp`, the event, `sid` and `sub`, no `nonce`, and each `jti`
 * seen once.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import { decodeJwt, type JWTPayload } from 'jose';
import { LogoutReceiver as Receiver } from '../support/logout_receiver.ts';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createClient, createUser, type TestClient } from '../support/fixtures.ts';
import { authorize, Browser } from '../support/browser.ts';
import { startFlow } from '../support/openid_client.ts';
import { SqlAuditLog } from '../../src/persistence/stores/audit_log.ts';
import { SqlPurgeStore } from '../../src/persistence/stores/purge.ts';
import { runJanitor } from '../../src/jobs/janitor.ts';
import { checkAppInput } from '../../src/domain/app_input.ts';
import { digest } from '../../src/crypto/digest.ts';
import { randomToken } from '../../src/crypto/random.ts';

const REDIRECT = 'https://rp.example/callback';
const EMAIL = 'bob@example.com';

async function until(what: string, check: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  assert.fail(`timed out waiting for ${what}`);
}

for (const dialect of dialects()) {
  describe(`OpenID Connect Back-Channel Logout (${dialect})`, () => {
    let t: TestApp;
    let receiver: Receiver;

    before(async () => {
      t = await startTestApp({ dialect, listen: true, env: { DYNAMIC_REGISTRATION: 'on', OUTBOUND_POLL_MS: '100', OUTBOUND_RETRY_SECONDS: '1', OUTBOUND_TIMEOUT_MS: '1000', OUTBOUND_CONNECT_MS: '1000' } });
      await createUser(t.deps, EMAIL, 'Bob');
      receiver = new Receiver(t);
      await receiver.start();
    });
    after(async () => {
      await t.close();
      await receiver.close();
    });

    async function app(path: string): Promise<TestClient> {
      return createClient(t.deps, { name: `RP ${path}`, redirectUris: [REDIRECT], backchannelLogoutUri: receiver.url(path) });
    }

    /** The code flow through openid-client in `browser`; the ID token's claims. */
    async function signIn(as: TestClient, browser: Browser): Promise<JWTPayload> {
      const config = await oidc.discovery(new URL(t.issuer), as.clientId, { client_secret: as.clientSecret }, undefined, { execute: [oidc.allowInsecureRequests] });
      const { url, verifier, state, nonce } = await startFlow(config, REDIRECT);
      const callback = await authorize(t, Object.fromEntries(url.searchParams), { browser, email: EMAIL, approve: true });
      const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce, idTokenExpected: true });
      return decodeJwt(tokens.id_token!);
    }

    async function signOut(browser: Browser): Promise<number> {
      const page = await browser.get('/logout');
      const started = performance.now();
      const res = await browser.submit(page, /^\/logout\/confirm$/);
      const took = performance.now() - started;
      assert.equal(res.statusCode, 303);
      return took;
    }

    it('discovery advertises back-channel logout with sessions (§2.1)', async () => {
      const res = await fetch(`${t.issuer}/.well-known/openid-configuration`);
      const metadata = (await res.json()) as Record<string, unknown>;
      assert.equal(metadata.backchannel_logout_supported, true);
      assert.equal(metadata.backchannel_logout_session_supported, true);
    });

    it('signing out sends a logout token to each app signed in to during the session, and none to an app of another session', async () => {
      const [one, two, elsewhere] = [await app('/one'), await app('/two'), await app('/elsewhere')];
      const browser = new Browser(t);
      const idOne = await signIn(one, browser);
      const idTwo = await signIn(two, browser);
      assert.ok(typeof idOne.sid === 'string', 'the ID token carries sid (§2.4)');
      assert.equal(idTwo.sid, idOne.sid, 'one session, one sid');
      const other = new Browser(t);
      const idElsewhere = await signIn(elsewhere, other);
      assert.notEqual(idElsewhere.sid, idOne.sid);

      await signOut(browser);
      await until('two logout tokens', () => receiver.received.filter((r) => r.path === '/one' || r.path === '/two').length === 2);
      const byPath = new Map(receiver.received.map((r) => [r.path, r.claims]));
      assert.equal(byPath.get('/one')!.aud, one.clientId);
      assert.equal(byPath.get('/two')!.aud, two.clientId);
      for (const [path, id] of [['/one', idOne], ['/two', idTwo]] as const) {
        assert.equal(byPath.get(path)!.sid, id.sid);
        assert.equal(byPath.get(path)!.sub, id.sub);
      }
      // The other session lives on: nothing for its app.
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(receiver.received.filter((r) => r.path === '/elsewhere').length, 0);
      assert.deepEqual(receiver.problems, []);

      // The audit log shows each delivery, as `tessera audit list` does.
      const events = await new SqlAuditLog(t.deps.database.db).list({ type: 'backchannel_logout.', limit: 50 });
      const delivered = events.filter((e) => e.type === 'backchannel_logout.delivered');
      assert.deepEqual(new Set(delivered.map((e) => e.appId)), new Set([one.clientId, two.clientId]));
      assert.equal(delivered[0]!.detail.status, 200);
    });

    it('a receiver that is down gets the token once it is back: nothing is lost', async () => {
      const rp = await app('/flaky');
      receiver.modes.set('/flaky', 'down');
      const browser = new Browser(t);
      await signIn(rp, browser);
      const hits = receiver.hits;
      await signOut(browser);
      await until('a failed attempt', () => receiver.hits > hits);
      receiver.modes.set('/flaky', 'ok');
      // The retry is due OUTBOUND_RETRY_SECONDS (1 s) later; the clock runs on by itself.
      await until('the token after the outage', () => receiver.received.some((r) => r.path === '/flaky'), 8000);
      assert.equal(receiver.received.filter((r) => r.path === '/flaky').length, 1);
      assert.deepEqual(receiver.problems, []);
    });

    it('a receiver that hangs does not slow the sign-out page', async () => {
      const rp = await app('/hang');
      receiver.modes.set('/hang', 'hang');
      const browser = new Browser(t);
      await signIn(rp, browser);
      const took = await signOut(browser);
      assert.ok(took < 500, `the sign-out answered in ${took.toFixed(0)} ms`);
      await until('the hanging request', () => receiver.hanging.length > 0);
    });

    it('a redirect from the receiver is not followed and the delivery is not counted as done', async () => {
      const rp = await app('/moved');
      receiver.modes.set('/moved', 'redirect');
      const browser = new Browser(t);
      await signIn(rp, browser);
      const hits = receiver.hits;
      await signOut(browser);
      await until('the redirecting answer', () => receiver.hits > hits);
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(receiver.received.filter((r) => r.path === '/followed').length, 0);
      const rows = await t.deps.stores.outboundDeliveries.list({ appId: rp.clientId, limit: 5 });
      assert.equal(rows.length, 1);
      assert.equal(rows[0]!.status, 'pending');
      assert.equal(rows[0]!.lastStatus, 302);
      assert.match(rows[0]!.lastError!, /redirects are not followed/);
    });

    it('dynamic registration takes the URL and refuses one on a private address (§2.2, outbound rules)', async () => {
      // RFC 7591 §3: an initial access token, as the operator hands out.
      const token = randomToken('initialAccessToken');
      await t.deps.stores.apps.createRegistrationToken({ digest: digest(token), kind: 'initial', appId: null, expiresAt: t.clock.now() + 600 }, t.clock.now());
      const register = (metadata: Record<string, unknown>) =>
        fetch(`${t.issuer}/register`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ client_name: 'RP', redirect_uris: [REDIRECT], ...metadata }),
        });
      for (const uri of ['https://10.0.0.1/bc', 'https://192.168.1.20/bc', 'https://[fd12::1]/bc', 'https://169.254.169.254/bc', 'http://rp.example/bc', 'https://rp.example/bc#frag']) {
        const res = await register({ backchannel_logout_uri: uri });
        assert.equal(res.status, 400, uri);
        assert.equal(((await res.json()) as { error: string }).error, 'invalid_client_metadata', uri);
      }
      // null is not a URL here (the portal API alone takes it for none).
      const nullUri = await register({ backchannel_logout_uri: null });
      assert.equal(nullUri.status, 400);
      assert.equal(((await nullUri.json()) as { error: string }).error, 'invalid_client_metadata');
      const res = await register({ backchannel_logout_uri: 'https://rp.example/bc', backchannel_logout_session_required: true });
      assert.equal(res.status, 201);
      const info = (await res.json()) as Record<string, unknown>;
      assert.equal(info.backchannel_logout_uri, 'https://rp.example/bc');
      assert.equal(info.backchannel_logout_session_required, true);
      // The portal form and its JSON API check the same way (domain/app_input.ts).
      const portal = checkAppInput({ name: 'x', redirect_uris: [REDIRECT], scopes: ['openid'], backchannel_logout_uri: 'https://10.0.0.1/bc' }, 'web');
      assert.ok(!portal.ok && portal.errors.some((e) => e.field === 'backchannel_logout_uri' && /private/.test(e.message)));
    });

    it('a delivery to a private address stored before the rule (or by hand) is refused at send time and failed, with its audit event', async () => {
      const rp = await createClient(t.deps, { name: 'RP private', redirectUris: [REDIRECT], backchannelLogoutUri: 'https://10.0.0.1/bc' });
      const browser = new Browser(t);
      await signIn(rp, browser);
      await signOut(browser);
      await until('the refused delivery', async () => (await t.deps.stores.outboundDeliveries.list({ appId: rp.clientId, limit: 1 }))[0]?.status === 'failed');
      const [row] = await t.deps.stores.outboundDeliveries.list({ appId: rp.clientId, limit: 1 });
      assert.match(row!.lastError!, /private/);
      const events = await new SqlAuditLog(t.deps.database.db).list({ type: 'backchannel_logout.failed', limit: 50 });
      assert.ok(events.some((e) => e.appId === rp.clientId));
    });

    it('the janitor deletes delivered tokens after 30 days and keeps pending ones', async () => {
      const before = await t.deps.stores.outboundDeliveries.list({ limit: 500 });
      assert.ok(before.some((d) => d.status === 'delivered') && before.some((d) => d.status === 'pending'));
      const report = await runJanitor(new SqlPurgeStore(t.deps.database.db), t.clock.now() + 31 * 86400, { auditRetentionDays: 'forever' });
      assert.ok(report.deleted.outbound_delivered >= 1);
      const after = await t.deps.stores.outboundDeliveries.list({ limit: 500 });
      assert.equal(after.filter((d) => d.status === 'delivered').length, 0);
      assert.deepEqual(
        after.filter((d) => d.status === 'pending').map((d) => d.id).sort(),
        before.filter((d) => d.status === 'pending').map((d) => d.id).sort(),
      );
      assert.ok(report.deleted.session_apps >= 1, 'apps of ended sessions go too');
    });
  });
}
