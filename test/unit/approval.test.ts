/**
 * grantAfter (src/domain/approval.ts), the one rule for what a grant becomes: examples, and
 * properties over any grant and any change (pure; the store and the pages are covered by
 * test/interaction/approval_property.test.ts).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { approvedScopes, grantAfter, type GrantShape } from '../../src/domain/approval.ts';
import { SUPPORTED_SCOPES, expand } from '../../src/domain/scopes.ts';

const ORGS = ['acme', 'globex', 'initech'];
const orgSet = fc.option(fc.subarray(ORGS), { nil: null });
const shape: fc.Arbitrary<GrantShape> = fc.record({
  scopes: fc.subarray([...SUPPORTED_SCOPES]),
  orgIds: orgSet,
  expiresAt: fc.option(fc.integer({ min: 1, max: 10 ** 9 }), { nil: null }),
});

function within(inner: readonly string[] | null, outer: readonly string[] | null): boolean {
  return outer === null || (inner !== null && inner.every((id) => outer.includes(id)));
}

describe('grantAfter', () => {
  it('an approval that showed no organizations or lifetime keeps them exactly (the reported defect)', () => {
    const grant: GrantShape = { scopes: ['openid', 'workitems:read'], orgIds: ['globex'], expiresAt: 1000 };
    const after = grantAfter(grant, { kind: 'approval', scopes: ['openid', 'offline_access'], terms: { orgIds: 'keep', expiresAt: 'keep' } });
    assert.deepEqual(after, { scopes: ['openid', 'workitems:read', 'offline_access'], orgIds: ['globex'], expiresAt: 1000, narrowed: false, widened: true, offlineAccessEnded: false });
    assert.deepEqual(grantAfter(grant, { kind: 'approval', scopes: ['email'] }).orgIds, ['globex'], 'no terms: every dimension kept');
    assert.deepEqual(grantAfter(undefined, { kind: 'approval', scopes: ['email'] }), { scopes: ['email'], orgIds: null, expiresAt: null, narrowed: false, widened: false, offlineAccessEnded: false });
  });

  it('a scope unticked on the page leaves the grant with what implied it', () => {
    const grant: GrantShape = { scopes: ['openid', 'full_access'], orgIds: null, expiresAt: null };
    const after = grantAfter(grant, { kind: 'approval', scopes: ['openid'], terms: { withdrawn: ['workitems:read'], orgIds: 'keep', expiresAt: 'keep' } });
    assert.ok(!expand(after.scopes).has('workitems:read') && !after.scopes.includes('full_access'));
    assert.ok(after.scopes.includes('code:write'));
    assert.equal(after.narrowed, true);
    assert.deepEqual(approvedScopes(['openid', 'workitems:write', 'workitems:read'], ['workitems:read']), ['openid'], 'write would still read');
  });

  it('a narrowing applied to a grant that changed since the page keeps only what both allow', () => {
    const grant: GrantShape = { scopes: ['openid', 'email'], orgIds: ['globex'], expiresAt: 5 };
    // The edit page was read when the grant covered every organization and had profile.
    const after = grantAfter(grant, { kind: 'narrowing', scopes: ['openid', 'profile'], orgIds: null });
    assert.deepEqual(after, { scopes: ['openid'], orgIds: ['globex'], expiresAt: 5, narrowed: true, widened: false, offlineAccessEnded: false });
  });

  it('offline access ended: held before and not after, whatever the kind of change; platform scopes do not imply it', () => {
    const held: GrantShape = { scopes: ['openid', 'offline_access', 'full_access'], orgIds: null, expiresAt: null };
    assert.equal(grantAfter(held, { kind: 'narrowing', scopes: ['openid', 'full_access'], orgIds: null }).offlineAccessEnded, true);
    assert.equal(grantAfter(held, { kind: 'narrowing', scopes: ['openid', 'offline_access', 'workitems:read'], orgIds: null }).offlineAccessEnded, false);
    assert.equal(grantAfter(held, { kind: 'narrowing', scopes: ['openid', 'offline_access'], orgIds: [] }).offlineAccessEnded, false, 'organizations alone');
    assert.equal(grantAfter(held, { kind: 'approval', scopes: ['openid'], terms: { withdrawn: ['offline_access'], orgIds: 'keep', expiresAt: 'keep' } }).offlineAccessEnded, true);
    assert.equal(grantAfter({ ...held, scopes: ['openid', 'full_access'] }, { kind: 'narrowing', scopes: ['openid'], orgIds: null }).offlineAccessEnded, false, 'never held');
    assert.equal(grantAfter(undefined, { kind: 'approval', scopes: ['openid'] }).offlineAccessEnded, false, 'a new grant ends nothing');
  });

  it('widened: scopes or organizations added to a grant, not the same approved again nor a longer lifetime (issue 15 notices)', () => {
    const grant: GrantShape = { scopes: ['openid', 'workitems:write'], orgIds: ['globex'], expiresAt: 1000 };
    const again = (scopes: string[], orgIds: readonly string[] | null | 'keep', expiresAt: number | null | 'keep' = 'keep') => grantAfter(grant, { kind: 'approval', scopes, terms: { orgIds, expiresAt } }).widened;
    assert.equal(again(['openid', 'workitems:write'], 'keep'), false, 'the same again');
    assert.equal(again(['workitems:read'], ['globex']), false, 'implied by what it holds');
    assert.equal(again(['openid'], 'keep', null), false, 'a longer lifetime only');
    assert.equal(again(['email'], 'keep'), true, 'a new scope');
    assert.equal(again(['openid'], ['globex', 'acme']), true, 'a new organization');
    assert.equal(again(['openid'], null), true, 'from some organizations to all');
    assert.equal(grantAfter({ ...grant, orgIds: null }, { kind: 'approval', scopes: ['openid'], terms: { orgIds: ['globex'], expiresAt: 'keep' } }).widened, false, 'from all to some');
  });

  it('properties: keep keeps; a narrowing never widens; an approval adds what it approves and removes only what was unticked', () => {
    const withdrawn = fc.subarray([...SUPPORTED_SCOPES], { maxLength: 3 });
    fc.assert(
      fc.property(shape, fc.subarray([...SUPPORTED_SCOPES]), withdrawn, orgSet, fc.boolean(), (grant, added, removed, orgs, keepOrgs) => {
        const scopes = approvedScopes(added, removed);
        const after = grantAfter(grant, { kind: 'approval', scopes, terms: { withdrawn: removed, orgIds: keepOrgs ? 'keep' : orgs, expiresAt: 'keep' } });
        assert.equal(after.expiresAt, grant.expiresAt);
        assert.deepEqual(after.orgIds, keepOrgs ? grant.orgIds : orgs);
        const has = expand(after.scopes);
        for (const s of scopes) assert.ok(has.has(s));
        for (const s of removed) if (!scopes.includes(s)) assert.ok(!has.has(s) || expand(scopes).has(s), `${s} withdrawn`);
        for (const s of expand(grant.scopes)) if (![s, ...expand([s])].some((x) => removed.includes(x))) assert.ok(has.has(s), `${s} kept`);
      }),
    );
    fc.assert(
      fc.property(shape, fc.subarray([...SUPPORTED_SCOPES]), orgSet, (grant, allowed, orgs) => {
        const after = grantAfter(grant, { kind: 'narrowing', scopes: allowed, orgIds: orgs });
        const had = expand(grant.scopes);
        for (const s of expand(after.scopes)) assert.ok(had.has(s) && expand(allowed).has(s), `${s} added by a narrowing`);
        assert.equal(after.widened, false);
        assert.ok(within(after.orgIds, grant.orgIds) && within(after.orgIds, orgs));
        assert.equal(after.expiresAt, grant.expiresAt);
      }),
    );
  });
  it('adding organizations (Manage applications) adds exactly those, to a grant that lists some, and nothing else', () => {
    fc.assert(
      fc.property(shape, fc.subarray(ORGS), (grant, added) => {
        const after = grantAfter(grant, { kind: 'adding_organizations', orgIds: added });
        assert.deepEqual(after.scopes, grant.scopes, 'scopes kept');
        assert.equal(after.expiresAt, grant.expiresAt, 'end kept');
        assert.equal(after.narrowed, false);
        if (grant.orgIds === null) {
          assert.equal(after.orgIds, null, 'every organization stays every organization');
          assert.equal(after.widened, false);
          return;
        }
        assert.ok(within(grant.orgIds, after.orgIds), 'nothing taken away');
        assert.ok(within(after.orgIds, [...grant.orgIds, ...added]), 'only what was added');
        assert.ok(added.every((id) => after.orgIds!.includes(id)), 'all that was added');
        assert.equal(new Set(after.orgIds).size, after.orgIds!.length, 'no organization twice');
        assert.equal(after.widened, added.some((id) => !grant.orgIds!.includes(id)));
      }),
    );
  });
});
