import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { constantEquals, digest } from '../../src/crypto/digest.ts';
import { looksLike, randomClientId, randomToken } from '../../src/crypto/random.ts';
import { verifyS256 } from '../../src/crypto/pkce.ts';
import { hashPassword, verifyPassword } from '../../src/crypto/passwords.ts';
import { deriveKey, seal, unseal } from '../../src/crypto/key_encryption.ts';
import { generateSigningKey, KeyRing } from '../../src/crypto/signing_keys.ts';

describe('crypto', () => {
  it('tokens carry 256 random bits behind their prefix, and 10,000 are unique (SECURITY 46)', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 10000; i++) {
      const t = randomToken('refreshToken');
      assert.ok(looksLike('refreshToken', t));
      assert.match(t, /^tsr_[A-Za-z0-9_-]{43}$/);
      seen.add(t);
    }
    assert.equal(seen.size, 10000);
  });

  it('client ids are 128-bit hex, safe to pass on a command line (never a leading "-")', () => {
    const ids = new Set(Array.from({ length: 2000 }, () => randomClientId()));
    assert.equal(ids.size, 2000);
    for (const id of ids) assert.match(id, /^[0-9a-f]{32}$/);
  });

  it('digests are stable and compare in constant time', () => {
    assert.equal(digest('x'), createHash('sha256').update('x').digest('base64url'));
    assert.ok(constantEquals('abc', 'abc'));
    assert.ok(!constantEquals('abc', 'abd'));
    assert.ok(!constantEquals('abc', 'abcd'));
  });

  it('verifies S256: BASE64URL(SHA256(verifier)) == challenge (RFC 7636 §4.6)', () => {
    const verifier = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    assert.ok(verifyS256(verifier, challenge));
    assert.ok(!verifyS256(verifier.slice(0, -1) + (verifier.endsWith('A') ? 'B' : 'A'), challenge));
    assert.ok(!verifyS256(verifier, verifier));
  });

  it('hashes passwords with argon2id and verifies them exactly as typed (SECURITY 34)', async () => {
    const password = 'pässwörd🔑' + 'x'.repeat(90);
    const stored = await hashPassword(password);
    assert.match(stored, /^\$argon2id\$/);
    assert.equal(await verifyPassword(stored, password), true);
    assert.equal(await verifyPassword(stored, password.slice(0, -1) + 'y'), false);
    assert.equal(await verifyPassword(stored, password.toUpperCase()), false);
    assert.equal(await verifyPassword(null, password), false);
    assert.equal(await verifyPassword(stored, 'x'.repeat(2000)), false);
  });

  it('seals private keys bound to their kid; a wrong key or kid cannot open them', () => {
    const kek = randomBytes(32);
    const sealed = seal(kek, 'secret', 'kid-1');
    assert.equal(unseal(kek, sealed, 'kid-1'), 'secret');
    assert.throws(() => unseal(kek, sealed, 'kid-2'));
    assert.throws(() => unseal(randomBytes(32), sealed, 'kid-1'));
    assert.notDeepEqual(deriveKey(kek, 'a'), deriveKey(kek, 'b'));
    assert.deepEqual(deriveKey(kek, 'a'), deriveKey(Buffer.from(kek), 'a'));
  });

  it('a key ring signs with the current key, verifies with current and previous, and forgets retired ones', async () => {
    const kek = randomBytes(32);
    const a = await generateSigningKey(kek, 1);
    const b = await generateSigningKey(kek, 2);
    const c = await generateSigningKey(kek, 3);
    const ring = await KeyRing.load(kek, [
      { ...c, state: 'current' },
      { ...b, state: 'previous' },
      { ...a, state: 'retired' },
    ]);
    assert.equal(ring.currentKid, c.kid);
    assert.deepEqual(ring.jwks().keys.map((k) => k.kid), [c.kid, b.kid]);
    assert.ok(ring.verificationKey(b.kid));
    assert.equal(ring.verificationKey(a.kid), undefined);
    assert.equal(ring.verificationKey(undefined), undefined);
  });
});
