/**
 * The organization pages (issue 6): the list, the owners' settings page and the approval-request
 * page, through the real app. A policy changed on the page applies at the API's next call; a
 * member's request, approved by an owner, lets the service in at once; non-owners change nothing
 * (403 for members, 404 for others); CSRF refusals are 403 with nothing changed (SECURITY 28);
 * an organization never loses its last owner.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { SCOPES } from '../../src/domain/scopes.ts';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createClient, createUser } from '../support/fixtures.ts';
import { Browser, parseForms, redirectLocation, type Response } from '../support/browser.ts';
import { call, createPlatform, type Platform } from '../api/platform_fixture.ts';
import { digest } from '../../src/crypto/digest.ts';
import { setMember, setThirdPartyMode } from '../../src/services/org_admin.ts';
import { orgFormToken } from '../../src/interaction/orgs/access.ts';
import { LAST_OWNER } from '../../src/interaction/orgs/members.ts';
import { approvalRequestUrl } from '../../src/interaction/orgs/route.ts';
import { KEPT_ACTIONS, utcDay } from '../../src/domain/grant_activity.ts';
import type { User } from '../../src/domain/users.ts';

/** Submits the form of `page` whose action ends with `action` and whose hidden fields include `match`. */
async function submitWhere(browser: Browser, page: Response, action: string, match: Record<string, string>, fields: Record<string, string> = {}, headers?: Record<string, string>) {
  const form = parseForms(page.body).find((f) => f.action.endsWith(action) && Object.entries(match).every(([k, v]) => f.hidden[k] === v));
  if (!form) throw new Error(`no form ${action} ${JSON.stringify(match)} on the page (status ${page.statusCode}):\n${page.body.slice(0, 3000)}`);
  return browser.post(form.action, { ...form.hidden, ...fields }, headers);
}

/** The form token a signed-in browser's pages carry for this organization. */
function tokenOf(t: TestApp, browser: Browser, orgId: string, clientId = ''): string {
  return orgFormToken(t.deps, digest(browser.sessionCookie()!.value), orgId, clientId);
}

async function signedIn(t: TestApp, email: string): Promise<Browser> {
  const browser = new Browser(t);
  assert.equal((await browser.signIn(email)).statusCode, 303);
  return browser;
}

for (const dialect of dialects()) {
  describe(`organization pages (${dialect})`, () => {
    let t: TestApp;
    let p: Platform;
    let carol: User;
    let owner: Browser;
    let member: Browser;
    let outsider: Browser;
    const settings = () => `/orgs/${p.acme.slug}/settings`;
    const projects = () => `/orgs/${p.acme.slug}/projects`;

    before(async () => {
      t = await startTestApp({ dialect });
      p = await createPlatform(t);
      // alice owns acme, bob owns globex and is a member of acme; carol is in neither.
      await setMember(p.admin(), p.acme, p.bob.id, 'member');
      carol = await createUser(t.deps, 'carol@example.com', 'Carol', { verified: true });
      owner = await signedIn(t, p.alice.email);
      member = await signedIn(t, p.bob.email);
      outsider = await signedIn(t, carol.email);
    });
    after(() => t.close());

    it('/orgs lists each organization with the role and the right link; home links to it; pages are not framable or cached', async () => {
      assert.match((await owner.get('/')).body, /href="\/orgs"/);
      const mine = await owner.get('/orgs');
      assert.equal(mine.statusCode, 200);
      assert.match(mine.body, /Acme<\/strong> · Owner/);
      assert.match(mine.body, /href="\/orgs\/acme\/settings"/);
      const bobs = await member.get('/orgs');
      assert.match(bobs.body, /Acme<\/strong> · Member · <a href="\/orgs\/acme">Overview/);
      assert.match(bobs.body, /Globex<\/strong> · Owner · <a href="\/orgs\/globex\/settings">/);
      assert.match((await outsider.get('/orgs')).body, /do not belong to any organization/);
      assert.equal(mine.headers['cache-control'], 'no-store');
      assert.equal(mine.headers['x-frame-options'], 'DENY');
      assert.match(String(mine.headers['content-security-policy']), /frame-ancestors 'none'/);

      const overview = await member.get('/orgs/acme');
      assert.equal(overview.statusCode, 200);
      assert.match(overview.body, /Owners<\/dt><dd>Alice/);

      const anonymous = await new Browser(t).get('/orgs');
      assert.equal(anonymous.statusCode, 302);
      assert.equal(anonymous.headers.location, '/login');
      assert.equal((await new Browser(t).get(settings())).headers.location, '/login');
      assert.equal((await owner.request({ method: 'PUT', url: settings() })).statusCode, 405);
    });

    it('non-owners see and change nothing: 403 for a member, 404 for anyone else, even with a valid form token', async () => {
      assert.equal((await owner.get(settings())).statusCode, 200);
      const asMember = await member.get(settings());
      assert.equal(asMember.statusCode, 403);
      assert.match(asMember.body, /Only the owners/);
      assert.equal((await outsider.get(settings())).statusCode, 404);
      assert.equal((await outsider.get('/orgs/acme')).statusCode, 404);
      assert.equal((await owner.get('/orgs/no-such-org/settings')).statusCode, 404);
      assert.equal((await owner.get('/orgs/Not_A_Slug/settings')).statusCode, 404);

      const memberToken = tokenOf(t, member, p.acme.slug);
      let res = await member.post(`${settings()}/policy`, { token: memberToken, third_party: 'deny' });
      assert.equal(res.statusCode, 403);
      res = await member.post(`${settings()}/members/remove`, { token: memberToken, user: p.alice.id });
      assert.equal(res.statusCode, 403);
      res = await member.post(`${settings()}/apps`, { token: memberToken, client_id: p.service.clientId, action: 'block' });
      assert.equal(res.statusCode, 403);
      res = await outsider.post(`${settings()}/members/add`, { token: tokenOf(t, outsider, p.acme.slug), email: carol.email, role: 'owner' });
      assert.equal(res.statusCode, 404);
      res = await outsider.post(`${settings()}/policy`, { token: tokenOf(t, outsider, p.acme.slug), third_party: 'deny' });
      assert.equal(res.statusCode, 404);

      const policy = await t.deps.stores.organizations.policyOf(p.acme.id);
      assert.equal(policy.thirdParty, 'allow');
      assert.equal(policy.apps.size, 0);
      const members = await t.deps.stores.orgMembers.listMembers(p.acme.id);
      assert.deepEqual(members.map((m) => [m.name, m.role]), [['Alice', 'owner'], ['Bob', 'member']]);
      assert.equal((await call(t, 'GET', projects(), await p.token('bob'))).statusCode, 200);
    });

    it('CSRF: no token, another session\'s token, another org\'s token or a cross-site post is 403 and changes nothing', async () => {
      const page = await owner.get(settings());
      const form = parseForms(page.body).find((f) => f.action.endsWith('/settings/policy'))!;
      assert.equal(form.hidden.token, tokenOf(t, owner, p.acme.slug));
      const attempts: [Record<string, string>, Record<string, string>?][] = [
        [{ third_party: 'deny' }],
        [{ third_party: 'deny', token: tokenOf(t, member, p.acme.slug) }],
        [{ third_party: 'deny', token: tokenOf(t, owner, p.globex.slug) }],
        [{ third_party: 'deny', token: form.hidden.token! }, { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' }],
        [{ third_party: 'deny', token: form.hidden.token! }, { 'sec-fetch-site': 'same-site' }],
      ];
      for (const [fields, headers] of attempts) {
        const res = await owner.post(form.action, fields, headers);
        assert.equal(res.statusCode, 403, JSON.stringify({ fields, headers }));
        assert.match(res.body, /Request refused/);
      }
      const remove = await owner.post(`${settings()}/members/remove`, { user: p.bob.id }, { origin: 'https://evil.example' });
      assert.equal(remove.statusCode, 403);
      // The request page's form is bound to its service too.
      const request = await member.post(approvalRequestUrl(p.acme.slug, p.service.clientId), { token: tokenOf(t, member, p.acme.slug) });
      assert.equal(request.statusCode, 403);

      assert.equal((await t.deps.stores.organizations.policyOf(p.acme.id)).thirdParty, 'allow');
      assert.ok(await t.deps.stores.organizations.isMember(p.acme.id, p.bob.id));
      assert.deepEqual(await t.deps.stores.approvalRequests.listPending(p.acme.id), []);
      assert.equal((await call(t, 'GET', projects(), await p.token('bob'))).statusCode, 200);

      // Bad values: a clear 400, nothing changed.
      const bad = await owner.post(form.action, { token: form.hidden.token!, third_party: 'everyone' });
      assert.equal(bad.statusCode, 400);
      assert.match(bad.body, /Choose who may act/);
      const repeated = await t.app.inject({
        method: 'POST',
        url: form.action,
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `${owner.sessionCookie()!.name}=${owner.sessionCookie()!.value}` },
        payload: `token=${encodeURIComponent(form.hidden.token!)}&third_party=deny&third_party=allow`,
      });
      assert.equal(repeated.statusCode, 400, 'a repeated field is refused (SECURITY 40)');
      assert.equal((await t.deps.stores.organizations.policyOf(p.acme.id)).thirdParty, 'allow');
    });

    it('an owner sets "approved only" on the page and the API refuses the service at once; a member asks, the owner approves, the API answers', async () => {
      const bobToken = await p.token('bob');
      assert.equal((await call(t, 'GET', projects(), bobToken)).statusCode, 200, 'cached as allowed first');

      let page = await owner.get(settings());
      let res = await submitWhere(owner, page, '/settings/policy', {}, { third_party: 'approved' });
      // Issue 20: before anything is saved, the owner sees what it stops.
      assert.equal(res.statusCode, 200);
      assert.match(res.body, /<h1>This stops 1 service used by \d members?<\/h1>/);
      assert.match(res.body, /<strong>Test Service<\/strong>, for \d members?/);
      assert.equal((await t.deps.stores.organizations.policyOf(p.acme.id)).thirdParty, 'allow', 'nothing saved yet');
      assert.equal((await call(t, 'GET', projects(), bobToken)).statusCode, 200);
      res = await submitWhere(owner, res, '/settings/policy', { confirm: 'yes', third_party: 'approved' });
      assert.equal(res.statusCode, 303);
      assert.equal(res.headers.location, `${settings()}?done=policy`);
      page = await owner.follow(res);
      assert.match(page.body, /The policy was saved/);
      assert.match(page.body, /value="approved" checked/);
      // The members it stopped for are told which services, on their profile (and by a notice).
      const [stopped] = await t.deps.stores.audit.listForUser(p.bob.id, ['org_policy.stopped_services'], 5);
      assert.deepEqual(stopped?.detail, { org: 'Acme', org_slug: p.acme.slug, apps: ['Test Service'], mode: 'approved' });
      assert.match((await member.get('/profile')).body, /The owners of Acme stopped services you use there: Test Service/);
      assert.ok((await t.deps.stores.outbox.list({ limit: 200 })).some((m) => m.kind === 'notice' && m.to === p.bob.email && m.data.event === 'org_policy.stopped_services'));

      const refused = await call(t, 'GET', projects(), bobToken);
      assert.equal(refused.statusCode, 403);
      assert.equal(refused.json().code, 'org_policy_blocked');
      const approvalUrl = refused.json().approval_url as string;
      assert.equal(approvalUrl, t.issuer + approvalRequestUrl(p.acme.slug, p.service.clientId));

      // The member opens the link from the refusal.
      let ask = await member.get(approvalUrl);
      assert.equal(ask.statusCode, 200);
      assert.match(ask.body, /Test Service/);
      assert.match(ask.body, /by Test Publisher/);
      assert.match(ask.body, /Unverified publisher/);
      // What approving it would let in: the service's registered permissions, in words, high privilege marked.
      const service = (await t.deps.stores.apps.find(p.service.clientId))!;
      assert.match(ask.body, /<h2>What it may ask for<\/h2>/);
      for (const scope of service.scopes) assert.ok(ask.body.includes(SCOPES[scope]!.description.replace(/'/g, '&#39;')), scope);
      res = await member.submit(ask, /\/request$/);
      assert.equal(res.statusCode, 303);
      ask = await member.follow(res);
      assert.match(ask.body, /Your request was sent to the owners/);
      assert.match(ask.body, /They have not answered yet/);
      assert.ok(!parseForms(ask.body).some((f) => f.action.endsWith('/request')), 'no second button while pending');
      // Opened from an approval page (a new tab): the page says how to finish there, and asking keeps it so.
      const fromApproval = await member.get(`${approvalUrl}?from=approval`);
      assert.match(fromApproval.body, /The approval page of Test Service is still open in the tab you came from: you can finish it there without Acme\./);
      assert.doesNotMatch(ask.body, /still open in the tab you came from/);
      // Posting again while pending (an old tab) adds nothing.
      res = await member.post(approvalRequestUrl(p.acme.slug, p.service.clientId), { token: tokenOf(t, member, p.acme.slug, p.service.clientId) });
      assert.equal(res.statusCode, 303);
      assert.equal((await t.deps.stores.approvalRequests.listPending(p.acme.id)).length, 1);
      assert.equal((await call(t, 'GET', projects(), bobToken)).statusCode, 403, 'asking is not approval');
      // An owner is offered no request button (they approve in the settings); a post from one asks nothing.
      const ownerAsk = await owner.get(approvalUrl);
      assert.match(ownerAsk.body, /As an owner, you can approve Test Service/);
      res = await owner.post(approvalUrl, { token: tokenOf(t, owner, p.acme.slug, p.service.clientId) });
      assert.equal(res.statusCode, 303);
      assert.equal((await t.deps.stores.approvalRequests.listPending(p.acme.id)).length, 1);
      // Unknown service or organization: 404.
      assert.equal((await member.get(approvalRequestUrl(p.acme.slug, 'f'.repeat(32)))).statusCode, 404);
      assert.equal((await outsider.get(approvalUrl)).statusCode, 404);

      // The owner sees the request and approves it.
      page = await owner.get(settings());
      assert.match(page.body, /Asked by Bob since/);
      assert.match(page.body, /<details class="request-scopes"><summary>What it may ask for<\/summary><ul class="scopes">/);
      res = await submitWhere(owner, page, '/settings/requests', { client_id: p.service.clientId }, { decision: 'approve' });
      assert.equal(res.statusCode, 303);
      assert.equal(res.headers.location, `${settings()}?done=approved`);
      assert.equal((await call(t, 'GET', projects(), bobToken)).statusCode, 200, 'the API answers at once');
      assert.equal((await call(t, 'GET', projects(), await p.token('alice'))).statusCode, 200);
      assert.deepEqual(await t.deps.stores.approvalRequests.listPending(p.acme.id), []);
      assert.match((await member.get(approvalUrl)).body, /can act in Acme/);
      const aliceEvents = await t.deps.stores.audit.listForUser(p.alice.id, ['org_policy.changed', 'org_app.approved'], 10);
      assert.deepEqual(aliceEvents.map((e) => e.type).sort(), ['org_app.approved', 'org_policy.changed']);
      assert.equal((await t.deps.stores.audit.listForUser(p.bob.id, ['org_app.requested'], 10)).length, 1);
      // The member who asked is told (issue 20): on the profile, and by a mailed notice.
      const [answered] = await t.deps.stores.audit.listForUser(p.bob.id, ['org_app.request_answered'], 10);
      assert.deepEqual(answered?.detail, { app: 'Test Service', org: 'Acme', org_slug: p.acme.slug, answer: 'approved' });
      assert.match((await member.get('/profile')).body, /The owners of Acme approved Test Service, as you asked/);
      const told = async (answer: string) =>
        (await t.deps.stores.outbox.list({ limit: 200 })).filter(
          (m) => m.kind === 'notice' && m.to === p.bob.email && m.data.event === 'org_app.request_answered' && m.data.detail.answer === answer,
        ).length;
      assert.equal(await told('approved'), 1);

      // Withdrawn later: refused again at once.
      page = await owner.get(settings());
      res = await submitWhere(owner, page, '/settings/apps', { client_id: p.service.clientId, action: 'withdraw' });
      assert.equal(res.statusCode, 303);
      assert.equal((await call(t, 'GET', projects(), bobToken)).json().code, 'org_policy_blocked');

      // Asked again and denied: still refused, and the member may ask once more.
      // (This time from an approval page's link: the answer keeps pointing back to it.)
      res = await member.submit(await member.get(`${approvalUrl}?from=approval`), /\/request\?from=approval$/);
      assert.equal(res.statusCode, 303);
      assert.match(String(res.headers.location), /\/request\?done=requested&from=approval$/);
      assert.match((await member.follow(res)).body, /Your request was sent to the owners[\s\S]*still open in the tab you came from/);
      page = await owner.get(settings());
      res = await submitWhere(owner, page, '/settings/requests', { client_id: p.service.clientId }, { decision: 'deny' });
      assert.equal(res.headers.location, `${settings()}?done=denied`);
      assert.deepEqual(await t.deps.stores.approvalRequests.listPending(p.acme.id), []);
      assert.equal((await call(t, 'GET', projects(), bobToken)).statusCode, 403);
      assert.ok(parseForms((await member.get(approvalUrl)).body).some((f) => f.action.endsWith('/request')));
      assert.equal(await told('denied'), 1, 'the refusal is told too');
      assert.match((await member.get('/profile')).body, /The owners of Acme did not approve Test Service, as you asked/);

      // Back to the default for the next tests, through the page.
      res = await submitWhere(owner, await owner.get(settings()), '/settings/policy', {}, { third_party: 'allow' });
      assert.equal(res.statusCode, 303);
      assert.equal((await call(t, 'GET', projects(), bobToken)).statusCode, 200);
      assert.match((await member.get(approvalUrl)).body, /can act in Acme/);
    });

    it('"deny" on the page shuts every service out at once, and the request page says so', async () => {
      const bobToken = await p.token('bob');
      let res = await submitWhere(owner, await owner.get(settings()), '/settings/policy', {}, { third_party: 'deny' });
      assert.match(res.body, /This stops 1 service/);
      res = await submitWhere(owner, res, '/settings/policy', { confirm: 'yes', third_party: 'deny' });
      assert.equal(res.statusCode, 303);
      assert.equal((await call(t, 'GET', projects(), bobToken)).json().code, 'org_policy_blocked');
      const ask = await member.get(approvalRequestUrl(p.acme.slug, p.service.clientId));
      assert.match(ask.body, /allows no third-party services/);
      const post = await member.post(approvalRequestUrl(p.acme.slug, p.service.clientId), { token: tokenOf(t, member, p.acme.slug, p.service.clientId) });
      assert.equal(post.statusCode, 409);
      assert.deepEqual(await t.deps.stores.approvalRequests.listPending(p.acme.id), []);
      res = await submitWhere(owner, await owner.get(settings()), '/settings/policy', {}, { third_party: 'allow' });
      assert.equal((await call(t, 'GET', projects(), bobToken)).statusCode, 200);
    });

    it('services acting in the organization: which, for whom, last use; "Cut off" and "Restore" apply at the next call', async () => {
      // The suite's own API calls are written first: the recorder flushes every 5 s, and a flush
      // after the seeding below would overwrite "last used", or (once it had written bob's calls)
      // show bob's use of today as the latest (seen on a loaded machine).
      await t.deps.usage.flush();
      const lastUsed = Date.UTC(2026, 10, 28, 9, 30) / 1000;
      await t.deps.stores.grants.touch(p.aliceGrant.id, lastUsed, null);
      // The row shows the latest use of any member's grant: bob's is older.
      await t.deps.stores.grants.touch(p.bobGrant.id, lastUsed - 86400, null);
      // A service only carol (not a member) uses is not listed.
      const elsewhere = await createClient(t.deps, { name: 'Elsewhere Bot' });
      await t.deps.stores.grants.approve(carol.id, elsewhere.clientId, ['orgs:read'], t.clock.now());
      // Nor one bob kept to his other organization (a grant that does not cover acme).
      const kept = await createClient(t.deps, { name: 'Kept Elsewhere' });
      await t.deps.stores.grants.approve(p.bob.id, kept.clientId, ['orgs:read'], t.clock.now(), { orgIds: [p.globex.id], expiresAt: null, narrowingUntil: t.clock.now() + 3600 });
      // A member's service with markup in its name is shown as text.
      const marked = await createClient(t.deps, { name: '<b>Bold</b> Bot' });
      await t.deps.stores.grants.approve(p.bob.id, marked.clientId, ['orgs:read'], t.clock.now());
      // Calls per day (grant_activity): the last 30 days count, older ones do not.
      const today = utcDay(t.clock.now());
      const longAgo = utcDay(t.clock.now() - 40 * 86400);
      // Added to what the suite's own calls counted (the recorder's upsert, not a bare insert that
      // collides with a day already written).
      const counted = async () => (await Promise.all([p.aliceGrant, p.bobGrant].map((g) => t.deps.stores.grantActivity.dailyCalls(g.id, longAgo)))).flat();
      const ownCalls = (await counted()).reduce((sum, d) => sum + d.calls, 0);
      await t.deps.stores.grantActivity.record(
        {
          calls: new Map([
            [p.aliceGrant.id, new Map([[today, 5]])],
            [p.bobGrant.id, new Map([[today, 2], [longAgo, 100]])],
          ]),
          actions: new Map(),
          kinds: new Map(),
        },
        KEPT_ACTIONS,
      );
      assert.ok((await counted()).some((d) => d.day === longAgo && d.calls === 100), 'the old day is stored');

      const page = await owner.get(settings());
      const row = /<tr><td><strong>Test Service<\/strong>[\s\S]*?<\/tr>/.exec(page.body)?.[0] ?? '';
      assert.match(row, /Alice, Bob/);
      assert.match(row, /last used 2026-11-28 09:30 UTC/);
      // 5 + 2 seeded today on top of the suite's own calls; the 100 of 40 days ago do not count.
      assert.match(row, new RegExp(`\\b${ownCalls + 7} API calls in 30 days`));
      assert.match(row, /Allowed/);
      assert.doesNotMatch(page.body, /Elsewhere Bot|Kept Elsewhere/);
      assert.match(page.body, /&lt;b>Bold&lt;\/b> Bot/);
      assert.doesNotMatch(page.body, /<b>Bold/);

      const bobToken = await p.token('bob');
      let res = await submitWhere(owner, page, '/settings/apps', { client_id: p.service.clientId, action: 'block' });
      assert.equal(res.statusCode, 303);
      assert.equal(res.headers.location, `${settings()}?done=blocked`);
      const cut = await call(t, 'GET', projects(), bobToken);
      assert.equal(cut.statusCode, 403);
      assert.equal(cut.json().code, 'org_policy_blocked');
      assert.equal((await call(t, 'GET', `/orgs/${p.globex.slug}/projects`, bobToken)).statusCode, 200, 'only this organization cuts it off');
      const after = await owner.follow(res);
      assert.match(after.body, /Cut off<\/td>/);
      assert.match((await member.get('/orgs/acme')).body, /Cut off by the owners<\/dt><dd>Test Service/);

      res = await submitWhere(owner, after, '/settings/apps', { client_id: p.service.clientId, action: 'restore' });
      assert.equal(res.headers.location, `${settings()}?done=restored`);
      assert.equal((await call(t, 'GET', projects(), bobToken)).statusCode, 200);
      const events = await t.deps.stores.audit.listForUser(p.alice.id, ['org_app.blocked', 'org_app.withdrawn'], 10);
      assert.ok(events.some((e) => e.type === 'org_app.blocked'));

      // Unknown service or action: 400, nothing changed.
      const bad = await owner.post(`${settings()}/apps`, { token: tokenOf(t, owner, p.acme.slug), client_id: 'nope', action: 'block' });
      assert.equal(bad.statusCode, 400);
      assert.equal((await t.deps.stores.organizations.policyOf(p.acme.id)).apps.size, 0);
    });

    it('members: add by email, change roles, remove; the last owner can neither leave nor be demoted', async () => {
      let page = await owner.get(settings());
      let res = await submitWhere(owner, page, '/settings/members/remove', { user: p.alice.id });
      assert.equal(res.statusCode, 409);
      assert.ok(res.body.includes(LAST_OWNER), res.body);
      res = await submitWhere(owner, page, '/settings/members/role', { user: p.alice.id });
      assert.equal(res.statusCode, 409);
      assert.ok(res.body.includes(LAST_OWNER));
      assert.deepEqual((await t.deps.stores.orgMembers.listMembers(p.acme.id)).map((m) => m.role), ['owner', 'member']);

      // An address no account has proven is invited, not added (test/interaction/org_invitations.test.ts).
      res = await submitWhere(owner, page, '/settings/members/add', {}, { email: 'nobody@example.com', role: 'member' });
      assert.equal(res.statusCode, 303);
      assert.equal(res.headers.location, `${settings()}?done=invited`);
      assert.deepEqual((await t.deps.stores.orgMembers.listMembers(p.acme.id)).map((m) => m.email), [p.alice.email, p.bob.email]);
      res = await submitWhere(owner, page, '/settings/members/add', {}, { email: 'Carol@Example.com', role: 'member' });
      assert.equal(res.statusCode, 303);
      assert.equal(res.headers.location, `${settings()}?done=added`);
      assert.ok(await t.deps.stores.organizations.isMember(p.acme.id, carol.id));
      assert.match((await outsider.get('/orgs')).body, /Acme<\/strong> · Member/);
      res = await submitWhere(owner, page, '/settings/members/add', {}, { email: carol.email, role: 'owner' });
      assert.equal(res.statusCode, 409);
      assert.match(res.body, /already a member/);

      // Carol becomes an owner; then alice may step down, and lands on the overview.
      page = await owner.get(settings());
      res = await submitWhere(owner, page, '/settings/members/role', { user: carol.id }, {});
      assert.equal(res.statusCode, 303);
      assert.equal((await outsider.get(settings())).statusCode, 200);
      res = await submitWhere(owner, page, '/settings/members/role', { user: p.alice.id });
      assert.equal(res.statusCode, 303);
      assert.equal(res.headers.location, '/orgs/acme?done=role');
      assert.equal((await owner.get(settings())).statusCode, 403);
      const changes = await t.deps.stores.audit.listForUser(carol.id, ['membership.changed'], 10);
      assert.equal(changes.length, 2);

      // Carol removes bob: his service loses the organization at once.
      const bobToken = await p.token('bob');
      assert.equal((await call(t, 'GET', projects(), bobToken)).statusCode, 200);
      res = await submitWhere(outsider, await outsider.get(settings()), '/settings/members/remove', { user: p.bob.id });
      assert.equal(res.statusCode, 303);
      assert.equal(res.headers.location, `${settings()}?done=removed`);
      const gone = await call(t, 'GET', projects(), bobToken);
      assert.equal(gone.statusCode, 403);
      assert.equal(gone.json().code, 'not_a_member');
      assert.equal((await member.get('/orgs/acme')).statusCode, 404);
      assert.equal((await t.deps.stores.audit.listForUser(p.bob.id, ['membership.removed'], 10)).length, 1);

      // Carol, now the only owner, cannot leave either.
      res = await submitWhere(outsider, await outsider.get(settings()), '/settings/members/remove', { user: carol.id });
      assert.equal(res.statusCode, 409);
      assert.ok(res.body.includes(LAST_OWNER));
      assert.equal(redirectLocation(res), undefined);
    });

    it('a stale page or two owners demoting each other at once never leave the organization ownerless', async () => {
      const org = (await t.deps.stores.organizations.create({ slug: 'duo', name: 'Duo', ownerUserId: p.alice.id }, t.clock.now()))!;
      await setMember(p.admin(), org, carol.id, 'owner');
      // A page loaded while carol was an owner; she is demoted elsewhere (the CLI, another node) before alice acts.
      const page = await owner.get('/orgs/duo/settings');
      await setMember(p.admin(), org, carol.id, 'member');
      let res = await submitWhere(owner, page, '/settings/members/role', { user: p.alice.id });
      assert.equal(res.statusCode, 409);
      assert.deepEqual((await t.deps.stores.orgMembers.listMembers(org.id)).map((m) => [m.name, m.role]), [['Alice', 'owner'], ['Carol', 'member']]);

      // Both owners again; each demotes the other at the same moment.
      await setMember(p.admin(), org, carol.id, 'owner');
      const alicePage = await owner.get('/orgs/duo/settings');
      const carolPage = await outsider.get('/orgs/duo/settings');
      const answers = await Promise.all([
        submitWhere(owner, alicePage, '/settings/members/role', { user: carol.id }),
        submitWhere(outsider, carolPage, '/settings/members/role', { user: p.alice.id }),
      ]);
      const members = await t.deps.stores.orgMembers.listMembers(org.id);
      assert.ok(members.some((m) => m.role === 'owner'), JSON.stringify(members));
      // At most one goes through; a refused one is 409 (last owner: refused before, or undone after
      // its write found nobody left) or 403 (no longer an owner when it arrived). Both undone: both still owners.
      const done = answers.filter((a) => a.statusCode === 303).length;
      assert.ok(done <= 1 && answers.every((a) => [303, 403, 409].includes(a.statusCode)), answers.map((a) => a.statusCode).join());
      assert.equal(members.filter((m) => m.role === 'owner').length, done === 1 ? 1 : 2);
      await setThirdPartyMode(p.admin(), org, 'allow');
    });

    it('an approval request is once per person, organization and service while pending (store)', async () => {
      const store = t.deps.stores.approvalRequests;
      const now = t.clock.now();
      const first = await store.create(p.globex.id, p.service.clientId, p.alice.id, now);
      assert.ok(first);
      assert.equal(await store.create(p.globex.id, p.service.clientId, p.alice.id, now), undefined);
      assert.ok(await store.create(p.globex.id, p.service.clientId, p.bob.id, now));
      assert.equal((await store.findPending(p.globex.id, p.service.clientId, p.alice.id))?.id, first.id);
      assert.deepEqual((await store.close(p.globex.id, p.service.clientId, 'denied', p.bob.id, now)).sort(), [p.alice.id, p.bob.id].sort(), 'who had asked');
      assert.deepEqual(await store.close(p.globex.id, p.service.clientId, 'denied', p.bob.id, now), [], 'nothing pending: no one');
      assert.equal(await store.findPending(p.globex.id, p.service.clientId, p.alice.id), undefined);
      assert.ok(await store.create(p.globex.id, p.service.clientId, p.alice.id, now), 'may ask again once answered');
    });
  });
}
