/**
 * examples/sample-cli end to end (issue 17): the sample runs as its own process against a real
 * Tessera and prints a code; Chromium signs in on /device, types the code, and approves; the
 * sample's poll gets its tokens (oauth4webapi) and it prints the person's open work items.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createClient, PASSWORD, type TestClient } from '../support/fixtures.ts';
import { seedCarolsWorkItems, startSample } from '../support/samples.ts';
import { chromiumPerFile } from '../support/chromium_per_file.ts';

const chromium = chromiumPerFile();

for (const dialect of dialects()) {
  describe(`examples/sample-cli (${dialect})`, () => {
    let t: TestApp;
    let cli: TestClient;
    before(async () => {
      t = await startTestApp({ dialect, listen: true });
      await seedCarolsWorkItems(t.deps);
      cli = await createClient(t.deps, { name: 'Sample CLI', public: true, redirectUris: ['http://127.0.0.1/callback'], scopes: ['openid', 'orgs:read', 'workitems:read'] });
      await t.deps.stores.apps.update({ ...cli.app, deviceFlow: true }, t.clock.now());
      t.deps.clients.invalidate(cli.clientId);
    });
    after(() => t.close());

    it('prints a code; Chromium types it and approves; the tool lists the open work items', async () => {
      const sample = startSample('examples/sample-cli/cli.mjs', { TESSERA_URL: t.issuer, CLIENT_ID: cli.clientId });
      try {
        const [, verificationUri, userCode] = await sample.waitFor(/open (\S+) and enter the code ([A-Z]{4}-[A-Z]{4})/);
        assert.equal(verificationUri, `${t.issuer}/device`);

        const context = await chromium().newContext();
        try {
          const page = await context.newPage();
          await page.goto(verificationUri!);
          await page.getByLabel('Email').fill('carol@example.com');
          await page.getByRole('button', { name: 'Continue' }).click();
          await page.getByLabel('Password').fill(PASSWORD);
          await Promise.all([page.waitForURL(`${t.issuer}/device`), page.getByRole('button', { name: 'Sign in', exact: true }).click()]);
          await page.getByLabel('Code').pressSequentially(userCode!);
          await page.getByRole('button', { name: 'Continue' }).click();
          assert.match((await page.locator('#requester-agent').textContent()) ?? '', /node|oauth4webapi/);
          await Promise.all([page.waitForSelector('#device-outcome'), page.getByRole('button', { name: 'Approve' }).click()]);
        } finally {
          await context.close();
        }
        const code = await Promise.race([sample.exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 20_000))]);
        const output = sample.output();
        assert.equal(code, 0, output);
        assert.match(output, /Signed in\./);
        assert.match(output, /acme\/web-1 {2}\[active\] {2}Fix the login redirect/);
        assert.doesNotMatch(output, /Old and done/);
      } finally {
        await sample.stop();
      }
    });
  });
}
