/** policyImpact (src/domain/policies.ts): what a new third-party mode stops, before it is saved (issue 20). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decide, policyImpact, THIRD_PARTY_MODES, type AppRule, type OrgPolicy } from '../../src/domain/policies.ts';

const APPS = ['planner', 'sprint', 'builder', 'reader'];
const USERS = ['ann', 'bob', 'cy'];
const policyArb: fc.Arbitrary<OrgPolicy> = fc.record({
  thirdParty: fc.constantFrom(...THIRD_PARTY_MODES),
  apps: fc.array(fc.tuple(fc.constantFrom(...APPS), fc.constantFrom<AppRule>('approved', 'blocked'))).map((rules) => new Map(rules)),
  requireSecondFactor: fc.boolean(),
  deviceFlowOff: fc.boolean(),
});
const grantsArb = fc.array(fc.record({ appId: fc.constantFrom(...APPS), userId: fc.constantFrom(...USERS) }), { maxLength: 10 });

describe('policyImpact', () => {
  it('names "approved only" stopping the unapproved services, and whom they acted for', () => {
    const policy: OrgPolicy = { thirdParty: 'allow', apps: new Map([['sprint', 'approved'], ['builder', 'blocked']]), requireSecondFactor: false, deviceFlowOff: false };
    const grants = [
      { appId: 'planner', userId: 'ann' },
      { appId: 'planner', userId: 'bob' },
      { appId: 'sprint', userId: 'bob' },
      { appId: 'builder', userId: 'cy' },
    ];
    assert.deepEqual(policyImpact(policy, 'approved', grants), { appIds: ['planner'], userIds: ['ann', 'bob'] });
    assert.deepEqual(policyImpact(policy, 'deny', grants), { appIds: ['planner', 'sprint'], userIds: ['ann', 'bob'] });
    assert.deepEqual(policyImpact(policy, 'allow', grants), { appIds: [], userIds: [] });
  });

  it('lists exactly the services allowed now and not after, each once, with exactly their people', () => {
    fc.assert(
      fc.property(policyArb, fc.constantFrom(...THIRD_PARTY_MODES), grantsArb, (policy, next, grants) => {
        const impact = policyImpact(policy, next, grants);
        const after = { ...policy, thirdParty: next };
        const expected = grants.filter((g) => decide(policy, g.appId) === 'allowed' && decide(after, g.appId) !== 'allowed');
        assert.deepEqual([...impact.appIds].sort(), [...new Set(expected.map((g) => g.appId))].sort());
        assert.deepEqual([...impact.userIds].sort(), [...new Set(expected.map((g) => g.userId))].sort());
        // Opening up never stops anything; a service cut off is never counted (it was stopped already).
        if (next === 'allow') assert.deepEqual(impact.appIds, []);
        assert.ok(impact.appIds.every((id) => policy.apps.get(id) !== 'blocked'));
      }),
    );
  });
});
