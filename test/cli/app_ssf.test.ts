/**
 * Security events through the CLI (issue 19), both dialects: `tessera app create|update
 * --ssf-endpoint` stores the endpoint under the outbound rules (a private address refused, exit 2)
 * and `--no-ssf-endpoint` removes it; `tessera user disable` revokes the person's grants and the
 * app's receiver gets CAEP session-revoked, initiated by an admin, validated against the JWKS.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, type TestApp } from '../support/app.ts';
import { CliTarget, assertRefused } from './cli.ts';
import { createClient, createUser } from '../support/fixtures.ts';
import { obtainTokens } from '../support/codes.ts';
import { SsfReceiver } from '../support/ssf_receiver.ts';

const REVOKED = 'https://schemas.openid.net/secevent/caep/event-type/session-revoked';

async function until(what: string, check: () => boolean | Promise<boolean>, ms = 8000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`timed out waiting for ${what}`);
}

for (const dialect of dialects()) {
  describe(`tessera app --ssf-endpoint, user disable (${dialect})`, () => {
    let cli: CliTarget;
    let server: TestApp;
    let receiver: SsfReceiver;

    before(async () => {
      cli = await CliTarget.create(dialect);
      await cli.json(['db', 'migrate']);
      server = await cli.startApp({ listen: true, env: { OUTBOUND_POLL_MS: '100', OUTBOUND_RETRY_SECONDS: '1' } });
      receiver = new SsfReceiver(server);
      await receiver.start();
    });
    after(async () => {
      await server.close();
      await receiver.close();
      await cli.close();
    });

    it('create stores the endpoint; update changes and removes it', async () => {
      const { client_id } = await cli.json<{ client_id: string }>(['app', 'create', '--name', 'RP', '--redirect-uri', 'https://rp.example/cb', '--ssf-endpoint', 'https://rp.example/ssf']);
      assert.equal((await server.deps.stores.apps.find(client_id))!.ssfEndpointUrl, 'https://rp.example/ssf');
      await cli.json(['app', 'update', '--client-id', client_id, '--ssf-endpoint', 'https://rp.example/ssf2']);
      assert.equal((await server.deps.stores.apps.find(client_id))!.ssfEndpointUrl, 'https://rp.example/ssf2');
      await cli.json(['app', 'update', '--client-id', client_id, '--no-ssf-endpoint']);
      assert.equal((await server.deps.stores.apps.find(client_id))!.ssfEndpointUrl, null);
      assertRefused(await cli.run(['app', 'update', '--client-id', client_id]), 2, /exactly one of/);
      assertRefused(await cli.run(['app', 'update', '--client-id', client_id, '--ssf-endpoint', 'https://rp.example/x', '--no-ssf-endpoint']), 2, /exactly one of/);
      assertRefused(await cli.run(['app', 'update', '--client-id', 'nope', '--ssf-endpoint', 'https://rp.example/x']), 1, /no app has client_id/);
    });

    it('refuses a private address, http off loopback and a fragment, on create and on update', async () => {
      const { client_id } = await cli.json<{ client_id: string }>(['app', 'create', '--name', 'RP2', '--redirect-uri', 'https://rp.example/cb']);
      for (const [uri, reason] of [
        ['https://10.0.0.1/ssf', /private address/],
        ['https://192.168.0.7/ssf', /private address/],
        ['https://[fd00::1]/ssf', /private address/],
        ['http://rp.example/ssf', /must be https/],
        ['https://rp.example/ssf#x', /fragment/],
      ] as const) {
        assertRefused(await cli.run(['app', 'create', '--name', 'Bad', '--redirect-uri', 'https://rp.example/cb', '--ssf-endpoint', uri]), 2, reason);
        assertRefused(await cli.run(['app', 'update', '--client-id', client_id, '--ssf-endpoint', uri]), 2, reason);
      }
      assert.equal((await server.deps.stores.apps.find(client_id))!.ssfEndpointUrl, null);
    });

    it('user disable sends session-revoked for each of the person\'s grants, initiated by an admin', async () => {
      const listener = await createClient(server.deps, { name: 'Listener', ssfEndpointUrl: receiver.url('/disable') });
      receiver.audiences.set('/disable', listener.clientId);
      const other = await createClient(server.deps, { name: 'Other', ssfEndpointUrl: receiver.url('/other') });
      receiver.audiences.set('/other', other.clientId);
      const bob = await createUser(server.deps, 'bob@example.com', 'Bob');
      await obtainTokens(server, { client: listener, user: bob, scopes: ['openid', 'offline_access'] });

      await cli.json(['user', 'disable', '--user', 'bob@example.com']);
      await until('session-revoked', () => receiver.at('/disable').length === 1);
      const [got] = receiver.at('/disable');
      assert.equal(got!.type, REVOKED);
      assert.equal(got!.event.initiating_entity, 'admin');
      assert.deepEqual(got!.claims.sub_id, { format: 'iss_sub', iss: server.issuer, sub: bob.id });
      assert.equal(got!.claims.aud, listener.clientId);
      assert.equal(receiver.at('/other').length, 0, 'an app bob never authorized hears nothing');
      assert.deepEqual(receiver.problems, []);
    });
  });
}
