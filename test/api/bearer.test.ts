import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPair, SignJWT } from 'jose';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createClient, createUser } from '../support/fixtures.ts';
import { accessClaims, hs256WithPublicKey, mintAccessToken, unsignedToken } from '../support/tokens.ts';
import type { User } from '../../src/domain/users.ts';
import type { Grant } from '../../src/domain/grants.ts';

for (const dialect of dialects()) {
  describe(`API bearer checks (${dialect})`, () => {
    let t: TestApp;
    let alice: User;
    let grant: Grant;

    before(async () => {
      t = await startTestApp({ dialect });
      alice = await createUser(t.deps, 'alice@example.com', 'Alice');
      const client = await createClient(t.deps);
      grant = await t.deps.stores.grants.approve(alice.id, client.clientId, ['openid', 'profile', 'orgs:read'], t.clock.now());
      const org = await t.deps.stores.organizations.create({ slug: 'acme', name: 'Acme', ownerUserId: alice.id }, t.clock.now());
      assert.ok(org);
    });
    after(() => t.close());

    const get = (url: string, authorization?: string) =>
      t.app.inject({ method: 'GET', url, headers: authorization ? { authorization } : {} });

    it('serves /me and /orgs with a valid token', async () => {
      const token = await mintAccessToken(t.deps, { sub: alice.id, gid: grant.id, scope: 'openid profile orgs:read' });
      const me = await get('/api/v1/me', `Bearer ${token}`);
      assert.equal(me.statusCode, 200);
      assert.deepEqual(me.json(), { id: alice.id, name: 'Alice' });
      const orgs = await get('/api/v1/orgs', `Bearer ${token}`);
      assert.equal(orgs.statusCode, 200);
      assert.deepEqual(orgs.json().items.map((o: { slug: string }) => o.slug), ['acme']);
    });

    it('no token: 401 with a bare Bearer challenge and no error (SECURITY 23)', async () => {
      const res = await get('/api/v1/me');
      assert.equal(res.statusCode, 401);
      assert.equal(res.headers['www-authenticate'], 'Bearer realm="tessera"');
    });

    it('the scheme is case-insensitive; the query is never read (SECURITY 23)', async () => {
      const token = await mintAccessToken(t.deps, { sub: alice.id, gid: grant.id });
      assert.equal((await get('/api/v1/me', `bearer ${token}`)).statusCode, 200);
      const inQuery = await t.app.inject({ method: 'GET', url: `/api/v1/me?access_token=${token}` });
      assert.equal(inQuery.statusCode, 400);
    });

    it('refuses garbage, tampered, expired, alg none, HS256 key confusion, foreign keys, ID-token typ and other audiences (SECURITY 23, 24)', async () => {
      const claims = accessClaims(t.deps, { sub: alice.id, gid: grant.id });
      const good = await mintAccessToken(t.deps, { sub: alice.id, gid: grant.id });
      const [h, p, s] = good.split('.');
      const tampered = `${h}.${Buffer.from(JSON.stringify({ ...claims, sub: 'someone-else' })).toString('base64url')}.${s}`;
      const expired = await mintAccessToken(t.deps, { sub: alice.id, gid: grant.id, iat: claims.iat - 7200, exp: claims.iat - 3600 });
      const otherAudience = await mintAccessToken(t.deps, { sub: alice.id, gid: grant.id, aud: 'https://other.example' });
      const jwk = t.deps.keys.keys.jwks().keys[0]!;
      const confused = await hs256WithPublicKey(claims, jwk, String(jwk.kid));
      const attacker = await generateKeyPair('ES256');
      const foreign = await new SignJWT({ ...claims }).setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: 'attacker' }).sign(attacker.privateKey);
      const sameKidForeignKey = await new SignJWT({ ...claims }).setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: String(jwk.kid), jku: 'https://evil.example/jwks' }).sign(attacker.privateKey);
      const { kid, alg, key } = t.deps.keys.keys.signingKey();
      const idTokenTyp = await new SignJWT({ ...claims }).setProtectedHeader({ alg, kid, typ: 'JWT' }).sign(key);
      for (const [name, token] of Object.entries({
        garbage: 'not-a-token',
        tampered,
        expired,
        otherAudience,
        none: unsignedToken(claims),
        confused,
        foreign,
        sameKidForeignKey,
        idTokenTyp,
        truncated: `${h}.${p}`,
      })) {
        const res = await get('/api/v1/me', `Bearer ${token}`);
        assert.equal(res.statusCode, 401, name);
        assert.match(String(res.headers['www-authenticate']), /error="invalid_token"/, name);
      }
    });

    it('missing scope: 403 insufficient_scope naming the scope (SECURITY 25)', async () => {
      const token = await mintAccessToken(t.deps, { sub: alice.id, gid: grant.id, scope: 'openid profile' });
      const res = await get('/api/v1/orgs', `Bearer ${token}`);
      assert.equal(res.statusCode, 403);
      assert.match(String(res.headers['www-authenticate']), /error="insufficient_scope", scope="orgs:read"/);
      assert.equal(res.json().code, 'insufficient_scope');
    });

    it('a revoked grant, family or token is refused at once, with no database read (design: denylist cache)', async () => {
      const byGrant = await mintAccessToken(t.deps, { sub: alice.id, gid: grant.id });
      const familyId = 'family-' + Date.now();
      const byFamily = await mintAccessToken(t.deps, { sub: alice.id, gid: 'g-other', fid: familyId });
      const single = accessClaims(t.deps, { sub: alice.id, gid: 'g-third' });
      const byJti = await mintAccessToken(t.deps, single);
      for (const token of [byGrant, byFamily, byJti]) assert.equal((await get('/api/v1/me', `Bearer ${token}`)).statusCode, 200);

      await t.deps.revoker.revokeFamily(familyId);
      await t.deps.revoker.revokeAccessToken(single.jti, single.exp);
      assert.equal(await t.deps.revoker.revokeGrant(grant.id, 'test'), true);
      for (const token of [byGrant, byFamily, byJti]) assert.equal((await get('/api/v1/me', `Bearer ${token}`)).statusCode, 401);
      assert.equal(await t.deps.revoker.revokeGrant(grant.id, 'test'), false, 'a second revoke changes nothing');
    });
  });
}
