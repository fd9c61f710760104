/**
 * The whole story of issue 4 in real Chromium, with oauth4webapi playing the service: the service
 * asks, the person signs in, reads the approval page (keeping one of two organizations), approves;
 * the service calls the API; the person finds it under "Manage applications", revokes it after
 * the confirmation; the service's next API call and its refresh are refused. The pages need no
 * script, violate no CSP, and load nothing from anywhere but Tessera.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as oauth from 'oauth4webapi';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createClient, createUser, PASSWORD, type TestClient } from '../support/fixtures.ts';
import { recordingContext, startCallbackServer, cspViolations } from '../support/chromium.ts';
import { chromiumPerFile } from '../support/chromium_per_file.ts';

const insecure = { [oauth.allowInsecureRequests]: true } as const;

const chromium = chromiumPerFile();

for (const dialect of dialects()) {
  describe(`Manage applications in Chromium: approve, use, find, revoke (${dialect})`, () => {
    let t: TestApp;
    let service: TestClient;
    let callback: Awaited<ReturnType<typeof startCallbackServer>>;
    let as: oauth.AuthorizationServer;

    before(async () => {
      t = await startTestApp({ dialect, listen: true });
      callback = await startCallbackServer();
      const dana = await createUser(t.deps, 'dana@example.com', 'Dana');
      const now = t.clock.now();
      await t.deps.stores.organizations.create({ slug: 'acme', name: 'Acme Corp', ownerUserId: dana.id }, now);
      await t.deps.stores.organizations.create({ slug: 'globex', name: 'Globex', ownerUserId: dana.id }, now);
      service = await createClient(t.deps, { name: 'Sprint Planner', redirectUris: [callback.url] });
      const issuer = new URL(t.issuer);
      as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...insecure }));
    });
    after(async () => {
      await callback?.close();
      await t.close();
    });

    it('walks the story end to end', async () => {
      const client: oauth.Client = { client_id: service.clientId };
      const auth = oauth.ClientSecretBasic(service.clientSecret!);
      const { context, origins } = await recordingContext(chromium());
      const page = await context.newPage();
      const violations = cspViolations(page);

      // The service asks.
      const verifier = oauth.generateRandomCodeVerifier();
      const state = oauth.generateRandomState();
      const url = new URL(as.authorization_endpoint!);
      for (const [k, v] of Object.entries({
        client_id: service.clientId,
        redirect_uri: callback.url,
        response_type: 'code',
        scope: 'openid offline_access orgs:read workitems:read',
        state,
        code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
      })) {
        url.searchParams.set(k, v);
      }
      await page.goto(url.href);

      // The person signs in and reads the approval page.
      await page.getByLabel('Email').fill('dana@example.com');
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('button', { name: 'Approve' }).waitFor({ timeout: 10_000 });
      const approval = await page.content();
      assert.match(approval, /Sprint Planner/);
      assert.match(approval, /Unverified publisher/);
      assert.match(approval, /Read work items in your organizations\./);
      assert.match(approval, /Until I revoke it/);
      // Keeps only Acme Corp.
      await page.getByLabel('Only the ones I tick:').check();
      await page.getByLabel('Globex').uncheck();
      await Promise.all([page.waitForURL((u) => u.href.startsWith(callback.url)), page.getByRole('button', { name: 'Approve' }).click()]);

      // The service redeems the code and calls the API.
      const params = oauth.validateAuthResponse(as, client, new URL(page.url()), state);
      const response = await oauth.authorizationCodeGrantRequest(as, client, auth, params, callback.url, verifier, insecure);
      const tokens = await oauth.processAuthorizationCodeResponse(as, client, response);
      assert.ok(tokens.refresh_token);
      const orgs = await fetch(`${t.issuer}/api/v1/orgs`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
      assert.equal(orgs.status, 200);
      assert.deepEqual(((await orgs.json()) as { items: { slug: string }[] }).items.map((o) => o.slug), ['acme']);
      await t.deps.usage.flush();

      // The person finds it under Manage applications.
      await page.goto(`${t.issuer}/profile`);
      await page.getByRole('link', { name: 'Manage applications' }).first().click();
      await page.waitForURL(`${t.issuer}/profile/applications`);
      const list = await page.content();
      assert.match(list, /Sprint Planner/);
      assert.match(list, /Acme Corp/);
      assert.doesNotMatch(list, /Globex/);
      await page.getByRole('link', { name: 'Details and changes' }).click();
      assert.match(await page.content(), /Listed your organizations/);
      assert.match(await page.content(), /GET \/api\/v1\/orgs/);

      // Revokes it, after the confirmation.
      await page.getByRole('link', { name: 'Revoke Sprint Planner' }).click();
      await page.getByRole('heading', { name: 'Revoke Sprint Planner?' }).waitFor();
      await page.getByRole('button', { name: 'Revoke Sprint Planner' }).click();
      await page.getByText('Sprint Planner was revoked. It can no longer act for you.').waitFor();
      assert.match(await page.content(), /You have not authorized any application/);

      // The service's next API call and refresh are refused.
      const refused = await fetch(`${t.issuer}/api/v1/orgs`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
      assert.equal(refused.status, 401);
      assert.equal(((await refused.json()) as { code: string }).code, 'grant_revoked');
      const again = await oauth.refreshTokenGrantRequest(as, client, auth, tokens.refresh_token, insecure);
      await assert.rejects(oauth.processRefreshTokenResponse(as, client, again), (err: unknown) => err instanceof oauth.ResponseBodyError && err.error === 'invalid_grant');

      assert.deepEqual(violations, []);
      assert.deepEqual([...origins].sort(), [t.issuer, new URL(callback.url).origin].sort(), 'nothing is loaded from anywhere but Tessera, then the service');
      await context.close();
    });
  });
}
