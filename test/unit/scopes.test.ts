import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { covers, keptScopes, missingScopes, narrowScopes, parseScope, SCOPES, spelledOut, unionScopes } from '../../src/domain/scopes.ts';

describe('scope catalogue', () => {
  it('gives every scope a sentence, and marks writes and full_access as high-privilege', () => {
    for (const [name, info] of Object.entries(SCOPES)) {
      assert.ok(info.description.endsWith('.'), name);
      if (name.endsWith(':write') || name === 'full_access' || name === 'builds:execute') assert.equal(info.highPrivilege, true, name);
    }
  });

  it('write implies read; full_access implies every platform scope', () => {
    assert.ok(covers(['workitems:write'], ['workitems:read']));
    assert.ok(!covers(['workitems:read'], ['workitems:write']));
    const platform = Object.entries(SCOPES).filter(([, i]) => i.kind === 'platform').map(([n]) => n);
    assert.ok(covers(['full_access'], platform));
    assert.ok(!covers(['full_access'], ['email']));
  });

  it('parses RFC 6749 §3.3 scope strings and refuses bad characters', () => {
    assert.deepEqual(parseScope('openid  profile openid'), ['openid', 'profile']);
    assert.equal(parseScope('a"b'), undefined);
    assert.equal(parseScope('a\\b'), undefined);
  });

  it('computes what a new approval must show, and the extended grant', () => {
    assert.deepEqual(missingScopes(['openid', 'code:write'], ['openid', 'code:read', 'builds:read']), ['builds:read']);
    assert.deepEqual(unionScopes(['a', 'b'], ['b', 'c']), ['a', 'b', 'c']);
  });

  it('narrows what a token holds to what its grant still allows, keeping the reads a removed write implied', () => {
    assert.deepEqual(narrowScopes(['openid', 'workitems:write'], ['openid', 'workitems:write']), ['openid', 'workitems:write']);
    assert.deepEqual(narrowScopes(['openid', 'workitems:write'], ['openid', 'workitems:read']), ['openid', 'workitems:read']);
    assert.deepEqual(narrowScopes(['full_access'], ['code:read']), ['code:read']);
    assert.deepEqual(narrowScopes(['openid', 'orgs:read'], ['openid']), ['openid']);
  });

  it('spells a grant out for editing, and keeps only ticked scopes that imply nothing unticked', () => {
    assert.deepEqual(spelledOut(['workitems:write', 'openid']), ['openid', 'workitems:read', 'workitems:write']);
    assert.deepEqual(keptScopes(['openid', 'workitems:read', 'workitems:write']), ['openid', 'workitems:read', 'workitems:write']);
    assert.deepEqual(keptScopes(['openid', 'workitems:write']), ['openid'], 'a write whose read was unticked goes too');
    const all = spelledOut(['full_access']);
    assert.deepEqual(keptScopes(all.filter((s) => s !== 'code:write')), all.filter((s) => s !== 'code:write' && s !== 'full_access'));
  });
});
