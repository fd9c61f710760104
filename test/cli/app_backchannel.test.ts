/**
 * `tessera app create --backchannel-logout-uri` (issue 19, OpenID Connect Back-Channel Logout 1.0
 * §2.2), both dialects: the URL is stored and reported by the portal's JSON and dynamic
 * registration alike; one that breaks the outbound rules (domain/outbound_url.ts) is refused with
 * a usage error, and a private address passes only with OUTBOUND_ALLOW_PRIVATE=on.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { dialects } from '../support/app.ts';
import { CliTarget, assertRefused } from './cli.ts';

for (const dialect of dialects()) {
  describe(`tessera app create --backchannel-logout-uri (${dialect})`, () => {
    let cli: CliTarget;
    before(async () => {
      cli = await CliTarget.create(dialect);
    });
    after(() => cli.close());

    it('stores the URL and the session flag', async () => {
      const out = await cli.json<{ client_id: string }>([
        'app', 'create', '--name', 'RP', '--redirect-uri', 'https://rp.example/cb',
        '--backchannel-logout-uri', 'https://rp.example/backchannel', '--backchannel-logout-session-required',
      ]);
      const server = await cli.startApp();
      try {
        const app = await server.deps.stores.apps.find(out.client_id);
        assert.equal(app!.backchannelLogoutUri, 'https://rp.example/backchannel');
        assert.equal(app!.backchannelLogoutSessionRequired, true);
      } finally {
        await server.close();
      }
    });

    it('refuses http off loopback, a fragment, credentials, private addresses and a URL longer than the portal takes', async () => {
      for (const [uri, reason] of [
        ['http://rp.example/bc', /must be https/],
        ['https://rp.example/bc#x', /fragment/],
        ['https://u:p@rp.example/bc', /credentials/],
        ['https://10.0.0.1/bc', /private address/],
        ['https://[fd00::1]/bc', /private address/],
        ['https://169.254.169.254/latest', /private address/],
        [`https://rp.example/${'a'.repeat(2000)}`, /too long/],
      ] as const) {
        assertRefused(await cli.run(['app', 'create', '--name', 'Bad', '--redirect-uri', 'https://rp.example/cb', '--backchannel-logout-uri', uri]), 2, reason);
      }
    });

    it('accepts a private address when the operator allows them, never an unspecified one', async () => {
      const ok = await cli.run(['app', 'create', '--name', 'Internal', '--redirect-uri', 'https://rp.example/cb', '--backchannel-logout-uri', 'https://10.1.2.3/bc', '--json'], { OUTBOUND_ALLOW_PRIVATE: 'on' });
      assert.equal(ok.code, 0, ok.stderr);
      assertRefused(await cli.run(['app', 'create', '--name', 'Zero', '--redirect-uri', 'https://rp.example/cb', '--backchannel-logout-uri', 'https://0.0.0.0/bc'], { OUTBOUND_ALLOW_PRIVATE: 'on' }), 2, /unspecified/);
    });
  });
}
