/**
 * `tessera org policy | approve-app | revoke-app | remove-member` with --json, run as the real CLI
 * against a database a running server shares: the server applies each change at its next API
 * call (PostgreSQL: the CLI's NOTIFY; SQLite: when the server's cached entry expires).
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, type TestApp } from '../support/app.ts';
import { createClient, createUser, type TestClient } from '../support/fixtures.ts';
import { mintAccessToken } from '../support/tokens.ts';
import type { User } from '../../src/domain/users.ts';
import { CliTarget, assertRefused } from './cli.ts';

for (const dialect of dialects()) {
  describe(`tessera org policy commands (${dialect})`, () => {
    let cli: CliTarget;
    let server: TestApp;
    let alice: User;
    let service: TestClient;
    let token: string;

    before(async () => {
      cli = await CliTarget.create(dialect);
      server = await cli.startApp();
      alice = await createUser(server.deps, 'alice@example.com');
      await server.deps.stores.organizations.create({ slug: 'acme', name: 'Acme', ownerUserId: alice.id }, server.clock.now());
      service = await createClient(server.deps);
      const grant = await server.deps.stores.grants.approve(alice.id, service.clientId, ['workitems:read'], server.clock.now());
      token = await mintAccessToken(server.deps, { sub: alice.id, gid: grant.id, client_id: service.clientId, scope: 'workitems:read' });
    });
    after(async () => {
      await server.close();
      await cli.close();
    });

    /** The server's answer once the change has reached it (at most a second on PostgreSQL). */
    async function serverAnswers(status: number): Promise<string> {
      if (dialect === 'sqlite') server.clock.advance(11);
      const started = Date.now();
      for (;;) {
        const res = await server.app.inject({ method: 'GET', url: '/api/v1/orgs/acme/projects', headers: { authorization: `Bearer ${token}` } });
        if (res.statusCode === status) return res.json().code ?? 'ok';
        assert.ok(Date.now() - started < 1000, `server still answers ${res.statusCode}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    }

    it('policy approved → the service is refused; approve-app → allowed; revoke-app → cut off', async () => {
      assert.equal(await serverAnswers(200), 'ok');
      const [policy, badMode] = await Promise.all([
        cli.json(['org', 'policy', '--org', 'acme', '--third-party', 'approved']),
        cli.run(['org', 'policy', '--org', 'acme', '--third-party', 'sometimes']),
      ]);
      assert.deepEqual(policy, { org: 'acme', third_party: 'approved' });
      assertRefused(badMode, 2, /--third-party must be allow, approved or deny/);
      assert.equal(await serverAnswers(403), 'org_policy_blocked');
      // The member it stopped a service for is told, as from the settings page (issue 20).
      const [stopped] = await server.deps.stores.audit.listForUser(alice.id, ['org_policy.stopped_services'], 5);
      assert.deepEqual(stopped?.detail.apps, [(await server.deps.stores.apps.find(service.clientId))!.name]);
      // A member's pending request is answered by the command as by the settings page, and the member told.
      const acme = (await server.deps.stores.organizations.findBySlug('acme'))!;
      await server.deps.stores.approvalRequests.create(acme.id, service.clientId, alice.id, server.clock.now());

      assert.deepEqual(await cli.json(['org', 'approve-app', '--org', 'acme', '--client-id', service.clientId]), { org: 'acme', client_id: service.clientId, rule: 'approved' });
      assert.equal(await serverAnswers(200), 'ok');
      assert.deepEqual(await server.deps.stores.approvalRequests.listPending(acme.id), []);
      const [answered] = await server.deps.stores.audit.listForUser(alice.id, ['org_app.request_answered'], 5);
      assert.equal(answered?.detail.answer, 'approved');

      assert.deepEqual(await cli.json(['org', 'revoke-app', '--org', 'acme', '--client-id', service.clientId]), { org: 'acme', client_id: service.clientId, rule: 'blocked' });
      assert.equal(await serverAnswers(403), 'org_policy_blocked');
      const policyNow = await server.deps.stores.organizations.policyOf((await server.deps.stores.organizations.findBySlug('acme'))!.id);
      assert.equal(policyNow.apps.get(service.clientId), 'blocked');
    });

    it('remove-member takes the organization from every service acting for the person', async () => {
      await server.deps.stores.organizations.setAppRule((await server.deps.stores.organizations.findBySlug('acme'))!.id, service.clientId, 'approved', server.clock.now());
      await server.deps.feed.publish({ type: 'org_policy', orgId: (await server.deps.stores.organizations.findBySlug('acme'))!.id });
      assert.equal(await serverAnswers(200), 'ok');
      assert.deepEqual(await cli.json(['org', 'remove-member', '--org', 'acme', '--email', 'alice@example.com']), { org: 'acme', email: 'alice@example.com', removed: true });
      assert.equal(await serverAnswers(403), 'not_a_member');
      assert.deepEqual(await server.deps.stores.organizations.listForUser(alice.id), []);
    });
  });
}
