/**
 * Issue 18, refresh tokens of single-page apps (draft-ietf-oauth-browser-based-apps §6.3.2.3,
 * Microsoft Entra's rule): rotated on every use like every client's, and an unbound family ends
 * 24 hours after its first token whatever the rotations; a DPoP-bound family (RFC 9449 §5) keeps
 * the normal absolute lifetime, as does a native public app's.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createClient, createUser, type TestClient } from '../support/fixtures.ts';
import { issueTestCode, obtainTokens, postForm, refresh } from '../support/codes.ts';
import { proof, proofKey, type ProofKey } from '../support/dpop.ts';
import { digest } from '../../src/crypto/digest.ts';
import { familyLifetime } from '../../src/oauth/token/refresh_tokens.ts';
import { SPA_REFRESH_TOKEN_LIFETIME } from '../../src/domain/spa.ts';
import type { User } from '../../src/domain/users.ts';

const HOUR = 3600;
const SCOPES = ['openid', 'offline_access'];

for (const dialect of dialects()) {
  describe(`refresh tokens of single-page apps (${dialect})`, () => {
    let t: TestApp;
    let alice: User;
    let spa: TestClient;
    let native: TestClient;

    before(async () => {
      t = await startTestApp({ dialect });
      alice = await createUser(t.deps, 'alice@example.com', 'Alice');
      spa = await createClient(t.deps, { spa: true, redirectUris: ['https://spa.example/cb'] });
      native = await createClient(t.deps, { public: true, redirectUris: ['com.example.native:/cb'] });
    });
    after(() => t.close());

    const stored = async (refreshToken: string) => (await t.deps.stores.tokens.findRefreshWithHolder(digest(refreshToken)))!.token;
    const rotate = async (client: TestClient, refreshToken: string, headers: Record<string, string> = {}) => {
      const res = headers.dpop === undefined ? await refresh(t, client, refreshToken) : await postForm(t, '/token', client, { grant_type: 'refresh_token', refresh_token: refreshToken }, headers);
      return { status: res.statusCode, body: res.json() as { refresh_token?: string; error?: string; token_type?: string } };
    };

    it('an unbound family is rotated and ends 24 hours after its first token, rotations included', async () => {
      const first = await obtainTokens(t, { client: spa, user: alice, scopes: SCOPES });
      const issuedAt = t.clock.now();
      const row = await stored(first.refresh_token);
      assert.equal(row.familyExpiresAt - row.createdAt, SPA_REFRESH_TOKEN_LIFETIME);

      t.clock.advance(12 * HOUR);
      const second = await rotate(spa, first.refresh_token);
      assert.equal(second.status, 200);
      assert.notEqual(second.body.refresh_token, first.refresh_token, 'rotated');
      assert.equal((await stored(second.body.refresh_token!)).familyExpiresAt, row.familyExpiresAt, 'a rotation never extends the family');
      // The rotated token is spent (reuse detection applies as to every client).
      assert.equal((await stored(first.refresh_token)).rotatedAt !== null, true);

      t.clock.advance(issuedAt + 24 * HOUR - 2 - t.clock.now());
      const third = await rotate(spa, second.body.refresh_token!);
      assert.equal(third.status, 200, 'still inside the 24 hours');
      t.clock.advance(2);
      const late = await rotate(spa, third.body.refresh_token!);
      assert.deepEqual([late.status, late.body.error], [400, 'invalid_grant']);
    });

    it("a native public app's family keeps the normal lifetime", async () => {
      const first = await obtainTokens(t, { client: native, user: alice, scopes: SCOPES });
      const row = await stored(first.refresh_token);
      assert.equal(row.familyExpiresAt - row.createdAt, t.deps.config.ttl.refreshTokenAbsolute);
      t.clock.advance(25 * HOUR);
      assert.equal((await rotate(native, first.refresh_token)).status, 200);
    });

    it('a DPoP-bound family keeps the normal lifetime, and still needs its key', async () => {
      const key: ProofKey = await proofKey();
      const tokenUrl = `${t.issuer}/token`;
      const dpop = async (k = key) => ({ dpop: await proof(k, { htm: 'POST', htu: tokenUrl, iat: t.clock.now() }) });
      const issued = await issueTestCode(t.deps, { client: spa, user: alice, scopes: SCOPES });
      const res = await postForm(t, '/token', spa, { grant_type: 'authorization_code', code: issued.code, code_verifier: issued.verifier }, await dpop());
      assert.equal(res.statusCode, 200, res.body);
      const body = res.json() as { refresh_token: string; token_type: string };
      assert.equal(body.token_type, 'DPoP');
      const row = await stored(body.refresh_token);
      assert.equal(row.dpopJkt, key.jkt);
      assert.equal(row.familyExpiresAt - row.createdAt, t.deps.config.ttl.refreshTokenAbsolute);

      t.clock.advance(25 * HOUR);
      const stolen = await rotate(spa, body.refresh_token, await dpop(await proofKey()));
      assert.deepEqual([stolen.status, stolen.body.error], [400, 'invalid_grant'], 'another key is refused');
      const next = await rotate(spa, body.refresh_token, await dpop());
      assert.equal(next.status, 200, JSON.stringify(next.body));
      assert.equal(next.body.token_type, 'DPoP');
      assert.equal((await stored(next.body.refresh_token!)).familyExpiresAt, row.familyExpiresAt);
    });

    it('the rule: at most 24 hours for an unbound single-page family, never longer than the configured lifetime', () => {
      const config = (absolute: number) => ({ ...t.deps.config, ttl: { ...t.deps.config.ttl, refreshTokenAbsolute: absolute } });
      assert.equal(familyLifetime(config(90 * 24 * HOUR), { spa: true }, null), 24 * HOUR);
      assert.equal(familyLifetime(config(HOUR), { spa: true }, null), HOUR);
      assert.equal(familyLifetime(config(90 * 24 * HOUR), { spa: true }, 'jkt'), 90 * 24 * HOUR);
      assert.equal(familyLifetime(config(90 * 24 * HOUR), { spa: false }, null), 90 * 24 * HOUR);
      assert.equal(familyLifetime(config(90 * 24 * HOUR), {}, null), 90 * 24 * HOUR);
    });
  });
}
