/**
 * examples/sample-cli end to end (issue 17): the sample runs as its own process against a real
 * Tessera and prints a code; Chromium signs in on /device, types the code, and approves; the
 * sample's poll gets its tokens (oauth4webapi) and it prints the person's open work items.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createClient, createUser, PASSWORD, type TestClient } from '../support/fixtures.ts';
import { chromiumPerFile } from '../support/chromium_per_file.ts';

const chromium = chromiumPerFile();

for (const dialect of dialects()) {
  describe(`examples/sample-cli (${dialect})`, () => {
    let t: TestApp;
    let cli: TestClient;
    before(async () => {
      t = await startTestApp({ dialect, listen: true });
      const now = t.clock.now();
      const carol = await createUser(t.deps, 'carol@example.com', 'Carol');
      const { organizations, projects, workItems } = t.deps.stores;
      const acme = (await organizations.create({ slug: 'acme', name: 'Acme Corp', ownerUserId: carol.id }, now))!;
      const web = (await projects.create({ orgId: acme.id, key: 'web', name: 'Website', description: '' }, now))!;
      await workItems.create(web.id, { title: 'Fix the login redirect', type: 'bug', state: 'active', assigneeId: carol.id, description: '', createdBy: carol.id }, now);
      await workItems.create(web.id, { title: 'Old and done', type: 'task', state: 'closed', assigneeId: carol.id, description: '', createdBy: carol.id }, now);
      cli = await createClient(t.deps, { name: 'Sample CLI', public: true, redirectUris: ['http://127.0.0.1/callback'], scopes: ['openid', 'orgs:read', 'workitems:read'] });
      await t.deps.stores.apps.update({ ...cli.app, deviceFlow: true }, now);
      t.deps.clients.invalidate(cli.clientId);
    });
    after(() => t.close());

    it('prints a code; Chromium types it and approves; the tool lists the open work items', async () => {
      const child = spawn(process.execPath, ['examples/sample-cli/cli.mjs'], {
        env: { PATH: process.env.PATH ?? '', TESSERA_URL: t.issuer, CLIENT_ID: cli.clientId },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      try {
        const deadline = Date.now() + 15_000;
        let match: RegExpExecArray | null = null;
        while (!(match = /open (\S+) and enter the code ([A-Z]{4}-[A-Z]{4})/.exec(output))) {
          if (child.exitCode !== null || Date.now() > deadline) throw new Error(`no code printed:\n${output}`);
          await new Promise((r) => setTimeout(r, 50));
        }
        const [, verificationUri, userCode] = match;
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
        const code = await Promise.race([exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 20_000))]);
        assert.equal(code, 0, output);
        assert.match(output, /Signed in\./);
        assert.match(output, /acme\/web-1 {2}\[active\] {2}Fix the login redirect/);
        assert.doesNotMatch(output, /Old and done/);
      } finally {
        if (child.exitCode === null) child.kill('SIGTERM');
      }
    });
  });
}
