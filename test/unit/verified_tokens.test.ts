import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { VerifiedTokenCache } from '../../src/caches/verified_tokens.ts';
import type { AccessTokenClaims } from '../../src/crypto/jwt.ts';

const claims = (exp: number) => ({ exp }) as AccessTokenClaims;
const anyKey = () => true;

describe('verified access-token cache', () => {
  it('returns claims for the exact token only, until it expires', () => {
    const cache = new VerifiedTokenCache();
    cache.set('token-a', 'kid-1', claims(100));
    assert.equal(cache.get('token-a', 99, anyKey)?.exp, 100);
    assert.equal(cache.get('token-a ', 99, anyKey), undefined);
    assert.equal(cache.get('token-A', 99, anyKey), undefined);
    assert.equal(cache.get('token-a', 100, anyKey), undefined, 'expired at exp');
    assert.equal(cache.size, 0, 'an expired entry is dropped');
  });

  it('forgets a token whose signing key left the ring', () => {
    const cache = new VerifiedTokenCache();
    cache.set('token-a', 'kid-1', claims(100));
    assert.equal(cache.get('token-a', 1, (kid) => kid !== 'kid-1'), undefined);
    assert.equal(cache.get('token-a', 1, anyKey), undefined);
  });

  it('holds at most its bound, dropping the oldest', () => {
    const cache = new VerifiedTokenCache(3);
    for (const t of ['a', 'b', 'c', 'd']) cache.set(t, 'k', claims(100));
    assert.equal(cache.size, 3);
    assert.equal(cache.get('a', 1, anyKey), undefined);
    assert.ok(cache.get('d', 1, anyKey));
  });
});
