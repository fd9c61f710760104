/**
 * examples/sample-service is told, not asked (issue 19): a real Tessera delivers to the sample,
 * running as its own process, and Chromium shows what the person sees. The person connects the
 * sample, signs out at Tessera, and the sample's next page load says "Signed out at Tessera":
 * Tessera's outbound sender POSTed a logout token to the sample's /backchannel-logout, which
 * checked it against Tessera's JWKS and ended the session its `sid` names. Connected again, the
 * person revokes the sample in Manage applications, and the next page load says "Signed out:
 * access was revoked": Tessera pushed a CAEP session-revoked Security Event Token (RFC 8935) to
 * the sample's /security-events, which ended the person's session and forgot its tokens.
 *
 * Also over real HTTP: what the sample's receivers refuse (Back-Channel Logout 1.0 §2.6 and §2.8,
 * RFC 8935 §2.3), each with Cache-Control: no-store, and that a token is acted on once.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createSign, generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import type { Page } from 'playwright-core';
import { dialects, freePort, startTestApp, type TestApp } from '../support/app.ts';
import { createClient, PASSWORD, type TestClient } from '../support/fixtures.ts';
import { seedCarolsWorkItems, startSample, type SampleProcess } from '../support/samples.ts';
import { chromiumPerFile } from '../support/chromium_per_file.ts';

const chromium = chromiumPerFile();

const LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';
const SESSION_REVOKED = 'https://schemas.openid.net/secevent/caep/event-type/session-revoked';

/** A compact ES256 JWS of `claims` with `typ`, signed with `key` (Tessera's own, or a stranger's). */
function signed(key: { kid: string; keyObject: KeyObject }, typ: string, claims: object): string {
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${encode({ alg: 'ES256', kid: key.kid, typ })}.${encode(claims)}`;
  const signature = createSign('sha256').update(input).sign({ key: key.keyObject, dsaEncoding: 'ieee-p1363' });
  return `${input}.${signature.toString('base64url')}`;
}

for (const dialect of dialects()) {
  describe(`examples/sample-service receives back-channel logout (${dialect})`, () => {
    let t: TestApp;
    let client: TestClient;
    let sample: SampleProcess;
    let app: string;

    before(async () => {
      t = await startTestApp({ dialect, listen: true, env: { OUTBOUND_POLL_MS: '100', OUTBOUND_RETRY_SECONDS: '1' } });
      await seedCarolsWorkItems(t.deps);
      const port = await freePort();
      // The browser reaches the sample at another host name than Tessera's 127.0.0.1: cookies
      // ignore ports, and Tessera's sign-out clears its host's cookies (Clear-Site-Data), which
      // would take the sample's session cookie too (its README says the same).
      app = `http://localhost:${port}`;
      // Registered as its README says: the callback, and the two URLs Tessera posts to.
      client = await createClient(t.deps, {
        name: 'Sample service',
        redirectUris: [`${app}/callback`],
        backchannelLogoutUri: `http://127.0.0.1:${port}/backchannel-logout`,
        ssfEndpointUrl: `http://127.0.0.1:${port}/security-events`,
      });
      sample = startSample('examples/sample-service/server.mjs', { TESSERA_URL: t.issuer, CLIENT_ID: client.clientId, CLIENT_SECRET: client.clientSecret!, PORT: String(port), PUBLIC_URL: app });
      await sample.waitFor(/listening on/);
    });
    after(async () => {
      await sample?.stop();
      await t?.close();
    });

    /** Connect your account: sign in at Tessera, approve if asked, back on the sample's page. */
    async function connect(page: Page): Promise<void> {
      await page.goto(`${app}/`);
      await page.getByRole('link', { name: 'Connect your account' }).click();
      await page.getByLabel('Email').fill('carol@example.com');
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      // The approval page the first time; once approved, Tessera sends the person straight back.
      const approve = page.getByRole('button', { name: 'Approve' });
      const connectedText = page.getByText('Connected as');
      await approve.or(connectedText).waitFor({ timeout: 10_000 });
      if (await approve.isVisible()) await approve.click();
      await connectedText.waitFor({ timeout: 10_000 }).catch(async (err: unknown) => {
        throw new Error(`not connected at ${page.url()}\n${(await page.content()).slice(0, 1500)}\n${sample.output()}`, { cause: err });
      });
      assert.match(await page.content(), /Connected as <strong id="who">Carol<\/strong>/, sample.output());
    }

    it('signing out at Tessera, or revoking the sample in Manage applications, signs the person out of the sample, and narrowing its access narrows what it shows: its next page load says so', async () => {
      const context = await chromium().newContext();
      try {
        const page = await context.newPage();
        await connect(page);
        assert.match(await page.content(), /web-1: Fix the login redirect/);

        // The person signs out on Tessera's own pages (the Sign out button of its navigation).
        await page.goto(`${t.issuer}/profile`);
        await Promise.all([page.waitForURL((url) => url.pathname !== '/profile'), page.getByRole('button', { name: 'Sign out' }).click()]);

        // Tessera's sender delivers the logout token; the sample validates it and ends the session.
        await sample.waitFor(/back-channel logout: ended 1 session\(s\)/, 10_000);
        await page.goto(`${app}/`);
        const html = await page.content();
        assert.match(html, /Signed out at Tessera/);
        assert.match(html, /Connect your account/);
        assert.doesNotMatch(html, /Fix the login redirect/);
        assert.doesNotMatch(sample.output(), /Error|502/, 'no API call was needed, and none failed');
        // Said once: the next load is the plain connect page.
        await page.goto(`${app}/`);
        assert.doesNotMatch(await page.content(), /Signed out/);

        // Connected again, the person takes work items away in Manage applications: Tessera pushes
        // a token-claims-change security event, and the sample keeps the narrower scope.
        await connect(page);
        await page.goto(`${t.issuer}/profile/applications`);
        await page.getByRole('link', { name: 'Details and changes' }).click();
        await page.getByLabel('Read work items in your organizations.').uncheck();
        await page.getByRole('button', { name: 'Save changes' }).click();
        await sample.waitFor(/security event token-claims-change: updated/, 10_000);
        await page.goto(`${app}/`);
        const narrowed = await page.content();
        assert.match(narrowed, /Connected as <strong id="who">Carol<\/strong>/, sample.output());
        assert.match(narrowed, /<span id="scope">openid profile offline_access orgs:read<\/span>/);
        assert.match(narrowed, /Tessera did not let this service read your work items: you have not given it the permission <code>workitems:read<\/code>/);
        assert.match(narrowed, /href="\/connect\?add=workitems%3Aread"/, "and offers to ask for it again");
        assert.doesNotMatch(narrowed, /Fix the login redirect/);

        // (b) Then the person revokes the sample in Manage applications: Tessera pushes a
        // session-revoked security event, and the sample forgets the person.
        await page.goto(`${t.issuer}/profile/applications`);
        await page.getByRole('link', { name: 'Details and changes' }).click();
        await page.getByRole('link', { name: 'Revoke Sample service' }).click();
        await page.getByRole('heading', { name: 'Revoke Sample service?' }).waitFor();
        await page.getByRole('button', { name: 'Revoke Sample service' }).click();
        await page.getByText('Sample service was revoked. It can no longer act for you.').waitFor();
        await sample.waitFor(/security event session-revoked: ended 1 session\(s\)/, 10_000);
        await page.goto(`${app}/`);
        const revoked = await page.content();
        assert.match(revoked, /Signed out: access was revoked/);
        assert.match(revoked, /Connect your account/);
        assert.doesNotMatch(revoked, /Fix the login redirect|Tessera access was revoked — connect again/, 'told, not found out by a refused call');
      } finally {
        await context.close();
      }
    });

    /** Carol, connected in a fresh browser. */
    async function connected(): Promise<{ close(): Promise<void>; page: Page }> {
      const context = await chromium().newContext();
      const page = await context.newPage();
      await connect(page);
      return { page, close: () => context.close() };
    }

    async function post(path: string, contentType: string, body: string): Promise<Response> {
      return fetch(`http://127.0.0.1:${new URL(app).port}${path}`, { method: 'POST', headers: { 'content-type': contentType }, body });
    }

    function logoutClaims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
      const now = Math.floor(Date.now() / 1000);
      return { iss: t.issuer, aud: client.clientId, iat: now, exp: now + 120, jti: randomUUID(), sub: 'nobody', sid: 'no-such-session', events: { [LOGOUT_EVENT]: {} }, ...overrides };
    }

    it('/backchannel-logout refuses what is not a valid logout token for it (400, no-store) and acts on a token once', async () => {
      const tessera = t.deps.keys.keys.signingKey();
      const stranger = { kid: tessera.kid, keyObject: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey };
      const form = (token: string) => new URLSearchParams({ logout_token: token }).toString();
      const refused: [string, string][] = [
        ['no token', ''],
        ['not a JWT', form('garbage')],
        ["another key, Tessera's kid", form(signed(stranger, 'logout+jwt', logoutClaims()))],
        ['another audience', form(signed(tessera, 'logout+jwt', logoutClaims({ aud: 'someone-else' })))],
        ['another issuer', form(signed(tessera, 'logout+jwt', logoutClaims({ iss: 'https://evil.example' })))],
        ['an ID token (typ JWT)', form(signed(tessera, 'JWT', logoutClaims()))],
        ['without the event', form(signed(tessera, 'logout+jwt', logoutClaims({ events: {} })))],
        ['with a nonce', form(signed(tessera, 'logout+jwt', logoutClaims({ nonce: 'n' })))],
        ['neither sub nor sid', form(signed(tessera, 'logout+jwt', logoutClaims({ sub: undefined, sid: undefined })))],
        ['too old', form(signed(tessera, 'logout+jwt', logoutClaims({ iat: Math.floor(Date.now() / 1000) - 600 })))],
      ];
      for (const [what, body] of refused) {
        const res = await post('/backchannel-logout', 'application/x-www-form-urlencoded', body);
        assert.equal(res.status, 400, what);
        assert.equal(res.headers.get('cache-control'), 'no-store', what);
        assert.equal(((await res.json()) as { error: string }).error, 'invalid_request', what);
      }

      // A valid token for Carol's session ends it; the same token again is answered 200 and ends
      // nothing (a copy replayed later must not end the session she opens next).
      const first = await connected();
      try {
        const person = await t.deps.database.db.selectFrom('session_apps').select(['sid', 'user_id']).where('app_id', '=', client.clientId).orderBy('created_at', 'desc').executeTakeFirstOrThrow();
        const token = signed(tessera, 'logout+jwt', logoutClaims({ sub: person.user_id, sid: person.sid }));
        const before = sample.output().match(/back-channel logout: ended 1 session/g)?.length ?? 0;
        const ok = await post('/backchannel-logout', 'application/x-www-form-urlencoded', form(token));
        assert.equal(ok.status, 200);
        assert.equal(ok.headers.get('cache-control'), 'no-store');
        await first.page.goto(`${app}/`);
        assert.match(await first.page.content(), /Signed out at Tessera/);
        assert.equal(sample.output().match(/back-channel logout: ended 1 session/g)?.length, before + 1);

        // Still signed in at Tessera, and approved before: Connect comes straight back, connected.
        await first.page.getByRole('link', { name: 'Connect your account' }).click();
        await first.page.getByText('Connected as').waitFor();
        const again = await post('/backchannel-logout', 'application/x-www-form-urlencoded', form(token));
        assert.equal(again.status, 200);
        await first.page.goto(`${app}/`);
        assert.match(await first.page.content(), /Connected as/, 'the replayed token ended nothing');
      } finally {
        await first.close();
      }
    });

    it('/security-events refuses what is not a valid SET for it with the RFC 8935 error JSON', async () => {
      const tessera = t.deps.keys.keys.signingKey();
      const stranger = { kid: tessera.kid, keyObject: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey };
      const set = (overrides: Record<string, unknown> = {}) => ({
        iss: t.issuer, aud: client.clientId, iat: Math.floor(Date.now() / 1000), jti: randomUUID(),
        sub_id: { format: 'iss_sub', iss: t.issuer, sub: 'nobody' }, events: { [SESSION_REVOKED]: { event_timestamp: Math.floor(Date.now() / 1000) } }, ...overrides,
      });
      const refused: [string, string, string, string][] = [
        ['wrong content type', 'application/jwt', signed(tessera, 'secevent+jwt', set()), 'invalid_request'],
        ['not a JWT', 'application/secevent+jwt', 'garbage', 'invalid_request'],
        ['another key', 'application/secevent+jwt', signed(stranger, 'secevent+jwt', set()), 'invalid_key'],
        ['another audience', 'application/secevent+jwt', signed(tessera, 'secevent+jwt', set({ aud: 'someone-else' })), 'invalid_audience'],
        ['another issuer', 'application/secevent+jwt', signed(tessera, 'secevent+jwt', set({ iss: 'https://evil.example' })), 'invalid_issuer'],
        ['a logout token', 'application/secevent+jwt', signed(tessera, 'logout+jwt', set()), 'invalid_request'],
        ['no events', 'application/secevent+jwt', signed(tessera, 'secevent+jwt', set({ events: undefined })), 'invalid_request'],
        ['a subject of another issuer', 'application/secevent+jwt', signed(tessera, 'secevent+jwt', set({ sub_id: { format: 'iss_sub', iss: 'https://evil.example', sub: 'x' } })), 'invalid_request'],
      ];
      for (const [what, type, body, err] of refused) {
        const res = await post('/security-events', type, body);
        assert.equal(res.status, 400, what);
        assert.equal(res.headers.get('cache-control'), 'no-store', what);
        const json = (await res.json()) as { err: string; description: string };
        assert.equal(json.err, err, what);
        assert.equal(typeof json.description, 'string', what);
      }
      const accepted = await post('/security-events', 'application/secevent+jwt', signed(tessera, 'secevent+jwt', set()));
      assert.equal(accepted.status, 202, 'a valid SET about nobody the sample knows is still accepted');
    });
  });
}
