/**
 * examples/sample-service end to end (issue 5): a real Tessera, the sample as its own process on its
 * own port (openid-client), and real Chromium. The person connects their account (sign-in and
 * approval on Tessera), sees their organizations and open work items, keeps working while the
 * sample refreshes (and rotates) its tokens, and after the grant is revoked sees "Tessera access
 * was revoked — connect again" on the next page load.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import type { Browser, Page } from 'playwright-core';
import { dialects, freePort, startTestApp, type TestApp } from '../support/app.ts';
import { createClient, createUser, PASSWORD, type TestClient } from '../support/fixtures.ts';
import { launchChromium, recordingContext } from '../support/chromium.ts';

/** Short-lived access tokens, so the sample has to refresh during the test. */
const ACCESS_TOKEN_TTL = 3;

interface Sample {
  url: string;
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

async function startSample(t: TestApp, client: TestClient): Promise<Sample> {
  const port = await freePort();
  const child = spawn(process.execPath, ['examples/sample-service/server.mjs'], {
    env: { PATH: process.env.PATH ?? '', TESSERA_URL: t.issuer, CLIENT_ID: client.clientId, CLIENT_SECRET: client.clientSecret!, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 15000;
  while (!output.includes('listening on')) {
    if (child.exitCode !== null) throw new Error(`sample exited with ${child.exitCode}:\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`sample did not start:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url: `http://127.0.0.1:${port}`,
    child,
    output: () => output,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

for (const dialect of dialects()) {
  describe(`sample service in Chromium (${dialect})`, () => {
    let t: TestApp;
    let browser: Browser;
    let sample: Sample;
    let client: TestClient;

    before(async () => {
      t = await startTestApp({ dialect, listen: true, env: { ACCESS_TOKEN_TTL: String(ACCESS_TOKEN_TTL) } });
      const now = t.deps.clock.now();
      const carol = await createUser(t.deps, 'carol@example.com', 'Carol');
      const dave = await createUser(t.deps, 'dave@example.com', 'Dave');
      const { organizations, projects, workItems } = t.deps.stores;
      const acme = (await organizations.create({ slug: 'acme', name: 'Acme Corp', ownerUserId: dave.id }, now))!;
      await organizations.setMember(acme.id, carol.id, 'member', now);
      await organizations.create({ slug: 'globex', name: 'Globex', ownerUserId: carol.id }, now);
      await organizations.create({ slug: 'initech', name: 'Initech', ownerUserId: dave.id }, now);
      const web = (await projects.create({ orgId: acme.id, key: 'web', name: 'Website', description: '' }, now))!;
      const item = (title: string, state: 'new' | 'active' | 'closed', assigneeId: string) =>
        workItems.create(web.id, { title, type: 'task', state, assigneeId, description: '', createdBy: dave.id }, now);
      await item('Fix the sign-in button', 'active', carol.id);
      await item('Write the release notes', 'new', carol.id);
      await item('Ship version one', 'closed', carol.id);
      await item("Dave's own task", 'active', dave.id);

      client = await createClient(t.deps, { name: 'Sample service', redirectUris: ['http://127.0.0.1:1/callback'] });
      sample = await startSample(t, client);
      // Registered like the README says: the sample's own callback URL.
      await t.deps.stores.apps.update({ ...client.app, redirectUris: [`${sample.url}/callback`] }, now);
      browser = await launchChromium();
    });
    after(async () => {
      await browser?.close();
      await sample?.stop();
      await t?.close();
    });

    async function open(page: Page, path = '/') {
      await page.goto(sample.url + path);
      return page.content();
    }

    function tokenResponses(): Promise<number> {
      return t.deps.stores.apps.usage(client.clientId, t.deps.clock.now(), 1).then((u) => u.tokensPerDay.reduce((n, d) => n + d.count, 0));
    }

    it('connects, lists organizations and open work items, refreshes, and handles revocation', async () => {
      const { context } = await recordingContext(browser);
      const page = await context.newPage();

      let html = await open(page);
      assert.match(html, /Connect your account/);
      await page.getByRole('link', { name: 'Connect your account' }).click();

      // Tessera's pages: sign in, then the approval page names the service.
      await page.getByLabel('Email').fill('carol@example.com');
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('button', { name: 'Approve' }).waitFor({ timeout: 5000 }).catch(async (err: unknown) => {
        throw new Error(`no approval page at ${page.url()}\n${(await page.content()).slice(0, 1500)}\n${sample.output()}`, { cause: err });
      });
      assert.match(await page.content(), /Sample service/);
      await Promise.all([page.waitForURL(`${sample.url}/`), page.getByRole('button', { name: 'Approve' }).click()]);

      html = await page.content();
      assert.match(html, /Connected as <strong id="who">Carol<\/strong>/, sample.output());
      assert.match(html, /Acme Corp/);
      assert.match(html, /Globex/);
      assert.doesNotMatch(html, /Initech/, 'not an organization of hers');
      assert.match(html, /web-1: Fix the sign-in button/);
      assert.match(html, /web-2: Write the release notes/);
      assert.doesNotMatch(html, /Ship version one/, 'closed items are not open');
      assert.doesNotMatch(html, /Dave's own task/, 'assigned to someone else');
      assert.equal(await tokenResponses(), 1);

      // The access token expires; the sample refreshes, twice, each time with the refresh token it
      // got last (sending a spent one would revoke everything).
      for (const expected of [2, 3]) {
        await new Promise((r) => setTimeout(r, (ACCESS_TOKEN_TTL + 1) * 1000));
        html = await open(page);
        assert.match(html, /web-1: Fix the sign-in button/, sample.output());
        assert.equal(await tokenResponses(), expected);
      }

      // The person revokes the service on Tessera: the next page load says so, and offers to connect again.
      const grants = await t.deps.stores.apps.liveGrantIds(client.clientId, t.deps.clock.now());
      assert.equal(grants.length, 1);
      await t.deps.revoker.revokeGrant(grants[0]!, 'user_revoked');
      html = await open(page);
      assert.match(html, /Tessera access was revoked — connect again/);
      assert.match(html, /Connect your account/);
      assert.doesNotMatch(html, /Fix the sign-in button/);
      // The tokens are forgotten: another load shows the plain connect page, with no call to Tessera.
      html = await open(page);
      assert.doesNotMatch(html, /revoked/);
      assert.match(html, /Connect your account/);
      await context.close();
    });
  });
}
