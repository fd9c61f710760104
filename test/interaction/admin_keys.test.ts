/**
 * Issue 21, the console's Keys page over HTTP on each dialect: it lists the signing keys with
 * their states (never key material); "Rotate now", pressed on the page by an operator signed in
 * with the password and TOTP, makes a new current key that the JWKS publishes and that signs the
 * next token, keeps the old one published, and is audited with the operator as the actor. A form
 * posted without the console's token changes nothing.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { decodeProtectedHeader } from 'jose';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createClient, createUser, type TestClient } from '../support/fixtures.ts';
import { Browser } from '../support/browser.ts';
import { obtainTokens } from '../support/codes.ts';
import { SqlAuditLog } from '../../src/persistence/stores/audit_log.ts';
import type { User } from '../../src/domain/users.ts';
import { createOperator, signedInOperator, type Operator } from './admin_support.ts';

for (const dialect of dialects()) {
  describe(`issue 21: the console's Keys page (${dialect})`, () => {
    let t: TestApp;
    let olga: Operator;
    let browser: Browser;
    let client: TestClient;
    let alice: User;

    before(async () => {
      t = await startTestApp({ dialect, env: { THROTTLE_LOGIN_PER_IP: '100000/300' } });
      olga = await createOperator(t, 'olga@example.com');
      browser = await signedInOperator(t, olga);
      client = await createClient(t.deps, { name: 'Time Tracker', redirectUris: ['https://tracker.example/cb'] });
      alice = await createUser(t.deps, 'alice@example.com', 'Alice', { verified: true });
    });
    after(() => t?.close());

    async function jwksKids(): Promise<string[]> {
      const res = await t.app.inject({ url: '/.well-known/jwks.json' });
      assert.equal(res.statusCode, 200);
      return (res.json() as { keys: { kid: string }[] }).keys.map((k) => k.kid);
    }

    it('lists the keys with their states and says whether the key-encryption key is configured, without key material', async () => {
      const [current] = await t.deps.stores.keys.listActive();
      assert.ok(current);
      const page = await browser.get('/admin/keys');
      assert.equal(page.statusCode, 200);
      assert.ok(page.body.includes(current.kid), 'the current kid');
      assert.match(page.body, /Current: signs every new token/);
      assert.match(page.body, /ES256|RS256|EdDSA|PS256/);
      assert.match(page.body, /key-encryption key/);
      assert.ok(!page.body.includes(current.sealedPrivateJwk.slice(0, 40)), 'no sealed private key');
      assert.ok(!page.body.includes(String(current.publicJwk.x ?? current.publicJwk.n)), 'no public key material');
      assert.match(page.body, /Rotate now/);
      assert.match(page.body, /stays published in the JWKS, so\s+the tokens it signed keep verifying until they expire/);
    });

    it('Rotate now makes a new current key, published in the JWKS and signing the next token; audited with the operator', async () => {
      const before = t.deps.keys.keys.currentKid;
      const res = await browser.submit(await browser.get('/admin/keys'), /\/admin\/keys\/rotate$/, {});
      assert.equal(res.statusCode, 303, res.body.slice(0, 300));
      assert.equal(res.headers.location, '/admin/keys?done=rotated');
      const shown = await browser.follow(res);
      assert.match(shown.body, /Rotated\./);

      const after = t.deps.keys.keys.currentKid;
      assert.notEqual(after, before);
      const states = new Map((await t.deps.stores.keys.listAll()).map((k) => [k.kid, k.state]));
      assert.deepEqual([states.get(after), states.get(before)], ['current', 'previous']);
      assert.ok(shown.body.includes(after) && shown.body.includes(before), 'both keys listed');
      assert.match(shown.body, /Retiring: published so tokens it signed still verify/);

      const kids = await jwksKids();
      assert.ok(kids.includes(after), 'the JWKS publishes the new key');
      assert.ok(kids.includes(before), 'and still the old one');
      const tokens = await obtainTokens(t, { client, user: alice, scopes: ['openid'] });
      assert.equal(decodeProtectedHeader(tokens.access_token).kid, after, 'the next access token is signed with it');
      assert.equal(decodeProtectedHeader(tokens.id_token!).kid, after, 'and the ID token');

      const [event] = await new SqlAuditLog(t.deps.database.db).list({ type: 'signing_key.rotated', limit: 1 });
      assert.ok(event);
      assert.equal(event.userId, olga.user.id);
      assert.deepEqual(event.detail, { via: 'admin', actor: olga.user.id, current: after, previous: before, retired: null });
    });

    it('a second rotation retires the oldest key: gone from the JWKS, listed as retired', async () => {
      const [first] = (await t.deps.stores.keys.listAll()).filter((k) => k.state === 'previous');
      assert.ok(first);
      const res = await browser.submit(await browser.get('/admin/keys'), /\/admin\/keys\/rotate$/, {});
      assert.equal(res.statusCode, 303);
      assert.ok(!(await jwksKids()).includes(first.kid));
      const page = await browser.get('/admin/keys');
      assert.match(page.body, /Retired: no longer published or accepted/);
      const [event] = await new SqlAuditLog(t.deps.database.db).list({ type: 'signing_key.rotated', limit: 1 });
      assert.equal(event!.detail.retired, first.kid);
    });

    it('a forged form (no token, or a wrong one) changes nothing', async () => {
      const kidsBefore = (await t.deps.stores.keys.listAll()).map((k) => `${k.kid}:${k.state}`);
      const events = (await new SqlAuditLog(t.deps.database.db).list({ type: 'signing_key.rotated', limit: 100 })).length;
      for (const form of [{}, { token: 'forged' }] as Record<string, string>[]) {
        const res = await browser.post('/admin/keys/rotate', form);
        assert.ok(res.statusCode >= 400 && res.statusCode < 500, `refused: ${res.statusCode}`);
      }
      assert.deepEqual((await t.deps.stores.keys.listAll()).map((k) => `${k.kid}:${k.state}`), kidsBefore);
      assert.equal((await new SqlAuditLog(t.deps.database.db).list({ type: 'signing_key.rotated', limit: 100 })).length, events);
    });

    it('someone signed in who is not an operator gets the 404, and cannot rotate', async () => {
      const aliceBrowser = new Browser(t);
      assert.equal((await aliceBrowser.signIn('alice@example.com')).statusCode, 303);
      const kid = t.deps.keys.keys.currentKid;
      assert.equal((await aliceBrowser.get('/admin/keys')).statusCode, 404);
      assert.equal((await aliceBrowser.post('/admin/keys/rotate', { token: 'x' })).statusCode, 404);
      assert.equal(t.deps.keys.keys.currentKid, kid);
    });
  });
}
