/** `tessera app verify` (the operator marks a publisher verified) and `tessera app registration-token` (DCR). */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, type TestApp } from '../support/app.ts';
import { CliTarget, assertRefused } from '../cli/cli.ts';
import { digest } from '../../src/crypto/digest.ts';

for (const dialect of dialects()) {
  describe(`tessera app verify (${dialect})`, () => {
    let cli: CliTarget;
    let server: TestApp;
    before(async () => {
      cli = await CliTarget.create(dialect);
      server = await cli.startApp();
    });
    after(async () => {
      await server.close();
      await cli.close();
    });

    it('marks an app verified, and --revoke removes the mark', async () => {
      const { client_id } = await cli.json<{ client_id: string }>(['app', 'create', '--name', 'Bot', '--redirect-uri', 'https://bot.example/cb']);
      assert.equal((await server.deps.stores.apps.find(client_id))?.verified, false);
      const out = await cli.json<{ verified: boolean }>(['app', 'verify', '--client-id', client_id]);
      assert.equal(out.verified, true);
      assert.equal((await server.deps.stores.apps.find(client_id))?.verified, true);
      await cli.json(['app', 'verify', '--client-id', client_id, '--revoke']);
      assert.equal((await server.deps.stores.apps.find(client_id))?.verified, false);
    });

    it('app registration-token prints a tsi_ token once and stores only its digest, single use', async () => {
      const out = await cli.json<{ initial_access_token: string; expires_at: number }>(['app', 'registration-token', '--expires-in', '3600']);
      assert.match(out.initial_access_token, /^tsi_[A-Za-z0-9_-]{43}$/);
      assert.ok(out.expires_at > server.clock.now());
      assert.equal(await server.deps.stores.apps.spendInitialToken(out.initial_access_token, server.clock.now()), false, 'not stored in plaintext');
      assert.equal(await server.deps.stores.apps.spendInitialToken(digest(out.initial_access_token), server.clock.now()), true);
      assert.equal(await server.deps.stores.apps.spendInitialToken(digest(out.initial_access_token), server.clock.now()), false);
      assertRefused(await cli.run(['app', 'registration-token', '--expires-in', 'soon']), 2, /--expires-in/);
    });

    it('an unknown client id is refused', async () => {
      assertRefused(await cli.run(['app', 'verify', '--client-id', 'nope']), 1, /no app has client_id nope/);
    });
  });
}
