/**
 * Issue 16, "Organizations can require a second factor", on two nodes sharing one database and
 * the real CLI: an owner turns the requirement on (settings page: owners only, CSRF form; the CLI:
 * on and off, audited); a service acting for a member without a second factor gets 403
 * `second_factor_required` (RFC 9457 problem) in that organization and 200 in another, and
 * GET /orgs leaves it out. Adding a factor (TOTP through the accounts service, a passkey) lets the
 * same access token in at its next call; removing it (TOTP off, the passkey removed, an operator's
 * `tessera user reset-second-factor`) refuses it again, on the other node too, without waiting for
 * a cache to expire (PostgreSQL: NOTIFY; SQLite: the `changes` table). Manage applications and
 * /profile say why and how to fix it. A work account meets the requirement through its directory.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { databaseOf, dialects, startTestApp, type TestApp } from '../support/app.ts';
import { PASSWORD } from '../support/fixtures.ts';
import { mintAccessToken } from '../support/tokens.ts';
import { Browser, parseForms, redirectLocation, type Response } from '../support/browser.ts';
import { CliTarget, assertRefused } from '../cli/cli.ts';
import { ALL, call, createPlatform, type Platform } from './platform_fixture.ts';
import { setMember } from '../../src/services/org_admin.ts';
import { totpCode } from '../../src/crypto/totp.ts';
import { digest } from '../../src/crypto/digest.ts';
import { orgFormToken } from '../../src/interaction/orgs/access.ts';
import type { User } from '../../src/domain/users.ts';

const caller = { ip: '203.0.113.7', userAgent: 'test' };

for (const dialect of dialects()) {
  describe(`organizations that require a second factor (${dialect})`, () => {
    let cli: CliTarget;
    let a: TestApp;
    let b: TestApp;
    let p: Platform;
    let bobToken: string;
    let owner: Browser;
    let member: Browser;
    const settings = () => `/orgs/${p.acme.slug}/settings`;
    const acme = () => `/orgs/${p.acme.slug}/projects`;

    before(async () => {
      cli = await CliTarget.create(dialect);
      a = await cli.startApp();
      b = await startTestApp({ database: databaseOf(a), keyEncryptionKey: cli.kek });
      p = await createPlatform(a);
      // alice owns acme, bob owns globex and is a member of acme.
      await setMember(p.admin(), p.acme, p.bob.id, 'member');
      bobToken = await p.token('bob');
      owner = new Browser(a);
      assert.equal((await owner.signIn(p.alice.email)).statusCode, 303);
      member = new Browser(a);
      assert.equal((await member.signIn(p.bob.email)).statusCode, 303);
    });
    after(async () => {
      await b?.close();
      await a?.close();
      await cli?.close();
    });

    /** Calls `node` until it answers `status`, for at most a second (no clock moved: the change feed, not a TTL). */
    async function answers(node: TestApp, path: string, status: number, token = bobToken): Promise<Response> {
      const started = Date.now();
      for (;;) {
        const res = await call(node, 'GET', path, token);
        if (res.statusCode === status) return res;
        assert.ok(Date.now() - started < 1000, `${node === a ? 'A' : 'B'} still answers ${res.statusCode} after ${Date.now() - started} ms`);
        await new Promise((r) => setTimeout(r, 10));
      }
    }

    function assertRequired(res: Response) {
      assert.equal(res.statusCode, 403, res.body);
      assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
      const body = res.json() as Record<string, unknown>;
      assert.equal(body.code, 'second_factor_required');
      assert.equal(body.status, 403);
      assert.equal(body.org, p.acme.slug);
      assert.equal(body.setup_url, `${a.issuer}/profile#second-factor`);
      assert.match(String(body.title), /requires a second factor/);
    }

    async function settingsForm(page: Response) {
      const form = parseForms(page.body).find((f) => f.action.endsWith('/settings/second-factor'));
      assert.ok(form, 'the settings page has the second-factor form');
      return form;
    }

    it('the owner turns it on from the settings page (CSRF form); a member cannot; the change is audited', async () => {
      // B reads bob's organizations and the policy before the change, so it must be told.
      assert.equal((await call(b, 'GET', acme(), bobToken)).statusCode, 200);
      const page = await owner.get(settings());
      assert.match(page.body, /Not required: services act for every member/);
      assert.match(page.body, /Without a second factor: Alice \(alice@example\.com\), Bob \(bob@example\.com\)/);
      const form = await settingsForm(page);

      // A member with a valid token of their own for this organization: past the CSRF check, still owners only.
      const memberToken = orgFormToken(a.deps, digest(member.sessionCookie()!.value), p.acme.slug);
      const refused = await member.post(form.action, { token: memberToken, require: 'on' });
      assert.equal(refused.statusCode, 403);
      assert.match(refused.body, /Only the owners/);
      const globexToken = parseForms((await member.get('/orgs/globex/settings')).body).find((f) => f.action.endsWith('/settings/second-factor'))!.hidden.token!;
      assert.equal((await owner.post(form.action, { token: globexToken, require: 'on' })).statusCode, 403, "another session's token, for another organization");
      assert.equal((await owner.post(form.action, { require: 'on' })).statusCode, 403, 'no token');
      assert.equal((await owner.post(form.action, { ...form.hidden, require: 'on' }, { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' })).statusCode, 403);
      const bad = await owner.post(form.action, { ...form.hidden, require: 'sometimes' });
      assert.equal(bad.statusCode, 400);
      assert.match(bad.body, /Choose whether services need members to have a second factor/);
      assert.equal((await a.deps.stores.organizations.policyOf(p.acme.id)).requireSecondFactor, false, 'nothing changed');

      const done = await owner.post(form.action, { ...form.hidden, require: 'on' });
      assert.equal(redirectLocation(done), `${settings()}?done=second_factor_on`);
      const after = await owner.get(settings());
      assert.match(after.body, /Required: services act for a member here only once/);
      assert.match(after.body, /Services cannot act for them here until they add one/);
      assert.match(after.body, /value="on" checked/);
      const [event] = await a.deps.stores.audit.listForUser(p.alice.id, ['org_policy.changed'], 1);
      assert.deepEqual(event?.detail, { via: 'web', org: p.acme.slug, require_second_factor: true });
    });

    it('a member without one: 403 second_factor_required there on both nodes, 200 elsewhere, left out of GET /orgs; cached after the first call', async () => {
      assertRequired(await call(a, 'GET', acme(), bobToken));
      assertRequired(await answers(b, acme(), 403));
      assert.equal((await call(a, 'GET', '/orgs/globex/projects', bobToken)).statusCode, 200, 'another organization');
      const orgs = await call(a, 'GET', '/orgs', bobToken);
      assert.deepEqual((orgs.json() as { items: { slug: string }[] }).items.map((o) => o.slug), ['globex']);
      // The hot path: the second-factor fact is cached like memberships and policies.
      const loads = a.deps.access.loads;
      for (let i = 0; i < 5; i++) assertRequired(await call(a, 'GET', acme(), bobToken));
      assert.equal((await call(a, 'GET', '/orgs/globex/projects', bobToken)).statusCode, 200);
      assert.equal(a.deps.access.loads, loads, 'no database read for membership, policy or factor');
    });

    it('Manage applications and /profile say why and link to the fix; nothing for an organization without the requirement', async () => {
      for (const path of ['/profile/applications', '/profile']) {
        const page = await member.get(path);
        assert.equal(page.statusCode, 200);
        assert.match(page.body, /<strong>Acme requires a second factor\.<\/strong> Services you authorized cannot act for you there until you add one/);
        assert.match(page.body, /href="\/profile#two-step"/);
        assert.equal(page.body.includes('href="/profile/passkeys">add a passkey'), a.deps.accounts.passkeysOffered(), 'a passkey is offered where passkeys work');
        assert.doesNotMatch(page.body, /Globex requires/);
      }
      assert.match((await member.get('/profile')).body, /id="second-factor"/);
      assert.match((await member.get('/profile')).body, /<h2 id="two-step">/);
    });

    it('TOTP turned on through the accounts service: the same token works at its next call, on both nodes; turned off: refused again at once', async () => {
      assert.ok(await a.deps.accounts.startTotp(p.bob));
      const secret = (await a.deps.accounts.totpSetupSecret(p.bob))!;
      const confirmed = await a.deps.accounts.confirmTotp(p.bob, totpCode(secret, a.clock.now()), caller);
      assert.equal(typeof confirmed, 'object');
      const { codes } = confirmed as { codes: string[] };
      assert.equal((await call(a, 'GET', acme(), bobToken)).statusCode, 200, 'A at once, same token');
      await answers(b, acme(), 200);
      assert.deepEqual(((await call(a, 'GET', '/orgs', bobToken)).json() as { items: { slug: string }[] }).items.map((o) => o.slug), ['acme', 'globex']);
      assert.doesNotMatch((await member.get('/profile/applications')).body, /requires a second factor/);
      assert.match((await owner.get(settings())).body, /Without a second factor: Alice \(alice@example\.com\)\. Services cannot/, 'Bob is no longer listed');

      const off = await a.deps.accounts.disableTotp(p.bob, PASSWORD, codes[0], caller);
      assert.equal(off.kind, 'ok');
      assertRequired(await call(a, 'GET', acme(), bobToken));
      assertRequired(await answers(b, acme(), 403));
    });

    it('a passkey counts: added, the token works on both nodes; removed, refused again', async () => {
      const now = a.clock.now();
      const passkey = {
        id: `cred-${dialect}`,
        userId: p.bob.id,
        userHandle: 'handle-bob',
        publicKey: 'pQECAyYgASFYIA',
        counter: 0,
        transports: ['internal'],
        backupEligible: false,
        backedUp: false,
        name: 'Laptop',
        aaguid: null,
        createdAt: now,
        lastUsedAt: null,
      };
      assert.equal(await a.deps.stores.passkeys.add(passkey, { type: 'user.passkey_added', userId: p.bob.id, detail: { name: 'Laptop' } }), 'added');
      assert.equal((await call(a, 'GET', acme(), bobToken)).statusCode, 200);
      await answers(b, acme(), 200);
      assert.equal(await a.deps.accounts.removePasskey(p.bob, passkey.id, caller), 'removed');
      assertRequired(await call(a, 'GET', acme(), bobToken));
      await answers(b, acme(), 403);
    });

    it("an operator's reset-second-factor (the CLI, another process) refuses the token again on both nodes", async () => {
      assert.ok(await a.deps.accounts.startTotp(p.bob));
      const secret = (await a.deps.accounts.totpSetupSecret(p.bob))!;
      assert.equal(typeof (await a.deps.accounts.confirmTotp(p.bob, totpCode(secret, a.clock.now()), caller)), 'object');
      assert.equal((await call(a, 'GET', acme(), bobToken)).statusCode, 200);
      await answers(b, acme(), 200);
      await cli.json(['user', 'reset-second-factor', '--email', p.bob.email]);
      assertRequired(await answers(a, acme(), 403));
      await answers(b, acme(), 403);
    });

    it('the CLI turns it off and on again, audited; bad values are refused', async () => {
      assert.deepEqual(await cli.json(['org', 'policy', '--org', p.acme.slug, '--require-second-factor', 'off']), { org: p.acme.slug, require_second_factor: false });
      await answers(a, acme(), 200);
      await answers(b, acme(), 200);
      assert.equal((await a.deps.stores.organizations.policyOf(p.acme.id)).thirdParty, 'allow', 'the mode is kept');
      assert.deepEqual(await cli.json(['org', 'policy', '--org', p.acme.slug, '--require-second-factor', 'on', '--third-party', 'allow']), {
        org: p.acme.slug,
        third_party: 'allow',
        require_second_factor: true,
      });
      assertRequired(await answers(a, acme(), 403));
      await answers(b, acme(), 403);
      const { events } = await cli.json<{ events: { detail: Record<string, unknown> }[] }>(['audit', 'list', '--type', 'org_policy.changed']);
      const cliDetails = events.map((e) => e.detail).filter((d) => d.via === 'cli' && 'require_second_factor' in d);
      assert.deepEqual(cliDetails, [
        { via: 'cli', org: p.acme.slug, require_second_factor: true },
        { via: 'cli', org: p.acme.slug, require_second_factor: false },
      ]);
      const [bad, none] = await Promise.all([
        cli.run(['org', 'policy', '--org', p.acme.slug, '--require-second-factor', 'yes']),
        cli.run(['org', 'policy', '--org', p.acme.slug]),
      ]);
      assertRefused(bad, 2, /--require-second-factor must be on or off, got "yes"/);
      assertRefused(none, 2, /say what to change: --third-party, --require-second-factor, --device-flow, or several/);
    });

    it('a work account meets it through its directory; the settings page does not list it', async () => {
      const now = a.clock.now();
      const { directory } = await a.deps.stores.directories.create({ id: `dir-${dialect}`, name: 'Corp', issuer: 'https://id.corp.example', clientId: 'c', clientSecretSealed: 'v1.x', domains: ['corp.example'], createdAt: now });
      assert.ok(directory);
      const dana: User = await a.deps.stores.directories.createAccount({ issuer: 'https://id.corp.example', subject: 'dana', directoryId: directory.id, email: 'dana@corp.example', name: 'Dana' }, now);
      await setMember(p.admin(), p.acme, dana.id, 'member');
      const grant = await a.deps.stores.grants.approve(dana.id, p.service.clientId, ALL.split(' '), now);
      const token = await mintAccessToken(a.deps, { sub: dana.id, gid: grant.id, client_id: p.service.clientId, scope: ALL });
      assert.equal((await call(a, 'GET', acme(), token)).statusCode, 200);
      const page = await owner.get(settings());
      assert.match(page.body, /Without a second factor: Alice \(alice@example\.com\), Bob \(bob@example\.com\)\./);
      assert.doesNotMatch(page.body, /Dana \(dana@corp\.example\)\W+[^<]*Services cannot/);
    });
  });
}
