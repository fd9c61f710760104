/**
 * Issue 18, the app store's single-page flag (migration 202612071220_spa_apps) on both dialects:
 * `spa` round-trips through create and every read, an update never changes it (the kind is fixed
 * at creation), an existing app reads as not single-page, and `listSpaRedirectUris` returns the
 * redirect URIs of single-page apps only, deleted ones gone.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createClient } from '../support/fixtures.ts';

for (const dialect of dialects()) {
  describe(`apps.spa (${dialect})`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp({ dialect });
    });
    after(() => t.close());

    it('round-trips, survives updates, and lists only single-page redirect URIs', async () => {
      const { apps } = t.deps.stores;
      const spa = await createClient(t.deps, { spa: true, redirectUris: ['https://a.example/cb', 'http://127.0.0.1:5173/cb'] });
      const native = await createClient(t.deps, { public: true, redirectUris: ['https://native.example/cb'] });
      const web = await createClient(t.deps, { redirectUris: ['https://web.example/cb'] });

      assert.equal((await apps.find(spa.clientId))?.spa, true);
      assert.equal((await apps.findWithLiveSecrets(spa.clientId, t.clock.now()))?.app.spa, true);
      assert.equal((await apps.find(native.clientId))?.spa, false);
      assert.equal((await apps.find(web.clientId))?.spa, false);

      // An update carries no kind: a profile without `spa` leaves it as it was.
      const { spa: _kept, ...profile } = (await apps.find(spa.clientId))!;
      await apps.update({ ...profile, redirectUris: ['https://b.example/cb'] }, t.clock.now());
      assert.equal((await apps.find(spa.clientId))?.spa, true);
      await apps.update({ ...(await apps.find(native.clientId))!, spa: true }, t.clock.now());
      assert.equal((await apps.find(native.clientId))?.spa, false, 'update never makes an app single-page');

      assert.deepEqual((await apps.listSpaRedirectUris()).sort(), ['https://b.example/cb']);
      await apps.delete(spa.clientId);
      assert.deepEqual(await apps.listSpaRedirectUris(), []);
    });
  });
}
