/**
 * Every request's checks, in order, and their machine-readable refusals: token (token_expired,
 * invalid_token), grant (grant_revoked), scope (insufficient_scope with scope=), membership now
 * (not_a_member, not_found), the organization's third-party policy (org_policy_blocked with an
 * approval link). An isolation suite: alice's token never reads or changes bob's organization.
 * A service is cut off the moment the person leaves, the owners change the policy or cut it off,
 * and the common case reads neither membership nor policy from the database (SECURITY 23–25).
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createClient } from '../support/fixtures.ts';
import { mintAccessToken } from '../support/tokens.ts';
import { removeMember, setAppRule, setMember, setThirdPartyMode } from '../../src/services/org_admin.ts';
import { call, createPlatform, type Platform } from './platform_fixture.ts';

function assertProblem(res: { statusCode: number; json(): Record<string, unknown>; headers: Record<string, unknown> }, status: number, code: string) {
  assert.equal(res.statusCode, status, JSON.stringify(res.json()));
  assert.equal(res.json().code, code);
  assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
}

for (const dialect of dialects()) {
  describe(`API access checks (${dialect})`, () => {
    let t: TestApp;
    let p: Platform;

    before(async () => {
      t = await startTestApp({ dialect });
      p = await createPlatform(t);
      const token = await p.token('bob');
      const created = await call(t, 'POST', `/orgs/${p.globex.slug}/projects`, token, { body: { name: 'Secret Plans' } });
      assert.equal(created.statusCode, 201);
      assert.equal((await call(t, 'POST', `/orgs/${p.globex.slug}/projects/secret-plans/workitems`, token, { body: { title: 'world domination' } })).statusCode, 201);
      assert.equal((await call(t, 'POST', `/orgs/${p.acme.slug}/projects`, await p.token('alice'), { body: { name: 'Roadmap' } })).statusCode, 201);
    });
    after(() => t.close());

    it('token refusals: token_expired, grant_revoked and invalid_token, each with the RFC 6750 challenge', async () => {
      const now = t.clock.now();
      const expired = await p.token('alice', undefined, { iat: now - 7200, exp: now - 3600 });
      const res = await call(t, 'GET', `/orgs/${p.acme.slug}/projects`, expired);
      assertProblem(res, 401, 'token_expired');
      assert.equal(res.headers['www-authenticate'], 'Bearer realm="tessera", error="invalid_token"');

      const garbage = await call(t, 'GET', '/orgs', 'not.a.token');
      assertProblem(garbage, 401, 'invalid_token');
      assert.match(String(garbage.headers['www-authenticate']), /error="invalid_token"/);
      const otherAudience = await call(t, 'GET', '/orgs', await p.token('alice', undefined, { aud: 'https://other.example' }));
      assertProblem(otherAudience, 401, 'invalid_token');

      const none = await call(t, 'GET', '/orgs', undefined);
      assertProblem(none, 401, 'invalid_token');
      assert.equal(none.headers['www-authenticate'], 'Bearer realm="tessera"');

      // A grant of its own, so revoking it leaves the others alone.
      const other = await createClient(t.deps);
      const grant = await t.deps.stores.grants.approve(p.alice.id, other.clientId, ['orgs:read'], now);
      const token = await mintAccessToken(t.deps, { sub: p.alice.id, gid: grant.id, client_id: other.clientId, scope: 'orgs:read' });
      assert.equal((await call(t, 'GET', '/orgs', token)).statusCode, 200);
      await t.deps.revoker.revokeGrant(grant.id, 'test');
      const revoked = await call(t, 'GET', '/orgs', token);
      assertProblem(revoked, 401, 'grant_revoked');
      assert.match(String(revoked.headers['www-authenticate']), /error="invalid_token"/);
    });

    it('insufficient_scope names the scope in the challenge and the body; write implies read, full_access everything (SECURITY 25, 26)', async () => {
      const readOnly = await p.token('alice', 'orgs:read workitems:read');
      assert.equal((await call(t, 'GET', `/orgs/${p.acme.slug}/projects`, readOnly)).statusCode, 200);
      const refused = await call(t, 'POST', `/orgs/${p.acme.slug}/projects/roadmap/workitems`, readOnly, { body: { title: 'x' } });
      assertProblem(refused, 403, 'insufficient_scope');
      assert.equal(refused.json().scope, 'workitems:write');
      assert.equal(refused.headers['www-authenticate'], 'Bearer realm="tessera", error="insufficient_scope", scope="workitems:write"');

      const noOrgs = await call(t, 'GET', '/orgs', await p.token('alice', 'workitems:write'));
      assertProblem(noOrgs, 403, 'insufficient_scope');
      assert.equal(noOrgs.json().scope, 'orgs:read');

      const writeOnly = await p.token('alice', 'workitems:write');
      assert.equal((await call(t, 'GET', `/orgs/${p.acme.slug}/projects/roadmap/workitems`, writeOnly)).statusCode, 200, 'write implies read');
      const full = await p.token('alice', 'full_access');
      assert.equal((await call(t, 'GET', '/orgs', full)).statusCode, 200);
      assert.equal((await call(t, 'POST', `/orgs/${p.acme.slug}/projects/roadmap/workitems`, full, { body: { title: 'y' } })).statusCode, 201);
    });

    it("isolation: alice's token never reads or changes bob's organization; every path is not_found (SECURITY 25)", async () => {
      const alice = await p.token('alice', 'full_access');
      const orgs = await call(t, 'GET', '/orgs', alice);
      assert.deepEqual(orgs.json().items.map((o: { slug: string }) => o.slug), [p.acme.slug]);
      const g = `/orgs/${p.globex.slug}`;
      const attempts: [string, string, unknown?, Record<string, string>?][] = [
        ['GET', `${g}/projects`],
        ['POST', `${g}/projects`, { name: 'Mine now' }],
        ['GET', `${g}/projects/secret-plans`],
        ['GET', `${g}/projects/secret-plans/workitems`],
        ['POST', `${g}/projects/secret-plans/workitems`, { title: 'injected' }],
        ['GET', `${g}/projects/secret-plans/workitems/1`],
        ['PATCH', `${g}/projects/secret-plans/workitems/1`, { title: 'pwned' }, { 'if-match': '*' }],
        ['DELETE', `${g}/projects/secret-plans/workitems/1`, undefined, { 'if-match': '*' }],
        ['GET', `${g}/projects/secret-plans/workitems/1/comments`],
        ['POST', `${g}/projects/secret-plans/workitems/1/comments`, { body: 'hi' }],
        ['GET', '/orgs/no-such-org/projects'],
      ];
      for (const [method, path, body, headers] of attempts) {
        const res = await call(t, method, path, alice, { ...(body !== undefined ? { body } : {}), ...(headers ? { headers } : {}) });
        assertProblem(res, 404, 'not_found');
        assert.doesNotMatch(res.body, /Secret|domination|Globex/, path);
      }
      // Nothing changed on bob's side.
      const bob = await p.token('bob');
      const item = await call(t, 'GET', `${g}/projects/secret-plans/workitems/1`, bob);
      assert.equal(item.json().title, 'world domination');
      assert.equal(item.json().revision, 1);
      assert.deepEqual((await call(t, 'GET', `${g}/projects`, bob)).json().items.map((x: { key: string }) => x.key), ['secret-plans']);
      assert.deepEqual((await call(t, 'GET', `${g}/projects/secret-plans/workitems/1/comments`, bob)).json().items, []);
    });

    it('the common case reads neither membership nor policy from the database', async () => {
      const token = await p.token('alice');
      await call(t, 'GET', `/orgs/${p.acme.slug}/projects`, token);
      const loads = t.deps.access.loads;
      for (let i = 0; i < 20; i++) assert.equal((await call(t, 'GET', `/orgs/${p.acme.slug}/projects/roadmap`, token)).statusCode, 200);
      assert.equal((await call(t, 'GET', '/orgs', token)).statusCode, 200);
      assert.equal(t.deps.access.loads, loads);
    });

    it('the TTL is a backstop: an entry older than it is loaded again', async () => {
      const token = await p.token('alice');
      await call(t, 'GET', `/orgs/${p.acme.slug}/projects`, token);
      const loads = t.deps.access.loads;
      t.clock.advance(11);
      await call(t, 'GET', `/orgs/${p.acme.slug}/projects`, token);
      assert.equal(t.deps.access.loads, loads + 2, 'membership and policy reloaded');
    });

    it('org policy: approved-only refuses unapproved services with an approval link; approval, deny and a cut-off apply at the next call', async () => {
      const token = await p.token('alice');
      const path = `/orgs/${p.acme.slug}/projects`;
      assert.equal((await call(t, 'GET', path, token)).statusCode, 200);

      await setThirdPartyMode(p.admin(), p.acme, 'approved');
      const blocked = await call(t, 'GET', path, token);
      assertProblem(blocked, 403, 'org_policy_blocked');
      assert.equal(blocked.json().approval_url, `${t.issuer}/orgs/${p.acme.slug}/third-party/${p.service.clientId}/request`);
      assert.equal(blocked.json().org, p.acme.slug);
      assert.deepEqual((await call(t, 'GET', '/orgs', token)).json().items, [], 'GET /orgs lists only orgs the service may act in');

      await setAppRule(p.admin(), p.acme, p.service.clientId, 'approved');
      assert.equal((await call(t, 'GET', path, token)).statusCode, 200);

      await setThirdPartyMode(p.admin(), p.acme, 'deny');
      assertProblem(await call(t, 'GET', path, token), 403, 'org_policy_blocked');

      await setThirdPartyMode(p.admin(), p.acme, 'allow');
      assert.equal((await call(t, 'GET', path, token)).statusCode, 200);

      // A cut-off wins over every mode, for this service only.
      await setAppRule(p.admin(), p.acme, p.service.clientId, 'blocked');
      assertProblem(await call(t, 'GET', `${path}/roadmap/workitems`, token), 403, 'org_policy_blocked');
      const other = await createClient(t.deps);
      const grant = await t.deps.stores.grants.approve(p.alice.id, other.clientId, ['workitems:read'], t.clock.now());
      const otherToken = await mintAccessToken(t.deps, { sub: p.alice.id, gid: grant.id, client_id: other.clientId, scope: 'workitems:read' });
      assert.equal((await call(t, 'GET', path, otherToken)).statusCode, 200, 'another service is unaffected');
      // bob's organization is untouched by acme's policy.
      assert.equal((await call(t, 'GET', `/orgs/${p.globex.slug}/projects`, await p.token('bob'))).statusCode, 200);

      await setAppRule(p.admin(), p.acme, p.service.clientId, undefined);
      assert.equal((await call(t, 'GET', path, token)).statusCode, 200);
    });

    it('leaving the organization cuts the service off at the next call: not_a_member, then back when re-added', async () => {
      const carolOrg = (await t.deps.stores.organizations.create({ slug: 'initech', name: 'Initech' }, t.clock.now()))!;
      await setMember(p.admin(), carolOrg, p.alice.id, 'member');
      const token = await p.token('alice');
      const path = `/orgs/initech/projects`;
      assert.equal((await call(t, 'GET', path, token)).statusCode, 200);
      assert.ok((await call(t, 'GET', '/orgs', token)).json().items.some((o: { slug: string }) => o.slug === 'initech'));

      assert.equal(await removeMember(p.admin(), carolOrg, p.alice.id), true);
      const refused = await call(t, 'GET', path, token);
      assertProblem(refused, 403, 'not_a_member');
      assert.ok(!(await call(t, 'GET', '/orgs', token)).json().items.some((o: { slug: string }) => o.slug === 'initech'));
      assert.equal(await removeMember(p.admin(), carolOrg, p.alice.id), false);

      await setMember(p.admin(), carolOrg, p.alice.id, 'member');
      assert.equal((await call(t, 'GET', path, token)).statusCode, 200);
    });

    it('a client whose client_id equals a user\'s id acts only for the person in sub (SECURITY 25)', async () => {
      // A token for alice from a service whose client_id is bob's id: bob's organization stays unreachable.
      const grant = await t.deps.stores.grants.approve(p.alice.id, p.service.clientId, ['full_access'], t.clock.now());
      const token = await mintAccessToken(t.deps, { sub: p.alice.id, gid: grant.id, client_id: p.bob.id, scope: 'full_access' });
      assertProblem(await call(t, 'GET', `/orgs/${p.globex.slug}/projects`, token), 404, 'not_found');
      const slugs = (await call(t, 'GET', '/orgs', token)).json().items.map((o: { slug: string }) => o.slug);
      assert.ok(slugs.includes(p.acme.slug) && !slugs.includes(p.globex.slug), slugs.join());
      assert.equal((await call(t, 'GET', '/me', token)).json().id, p.alice.id);
    });
  });
}
