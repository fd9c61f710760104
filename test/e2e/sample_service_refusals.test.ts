/**
 * examples/sample-service handles Tessera's refusals (issue 20): the sample runs as its own process
 * against a real, listening Tessera, and this test is the person's browser over real HTTP to the
 * sample (fetch, its session cookie) and a cookie jar on Tessera's own pages (sign-in, approval).
 *
 * - The person unticks "Read work items" on the approval page: the API answers 403
 *   insufficient_scope with `WWW-Authenticate: … scope="workitems:read"` (RFC 6750 §3.1), and the
 *   sample says which permission is missing and offers to connect again asking for it; that
 *   request adds just that scope to what the person allows (the approval page shows only it), and
 *   afterwards the work items are there.
 * - An organization's owners switch to "approved services only": the API leaves it out of
 *   GET /orgs and answers 403 org_policy_blocked there, and the sample says so and links to
 *   Tessera's request page, which opens for the person.
 * - The grant is revoked: the sample offers to connect again.
 * None of these is "Tessera could not be reached".
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, freePort, startTestApp, type TestApp } from '../support/app.ts';
import { createClient, createUser, type TestClient } from '../support/fixtures.ts';
import { Browser, findForm, isApprovalPage, isSignInPage, redirectLocation, type Response } from '../support/browser.ts';
import { seedCarolsWorkItems, startSample, type SampleProcess } from '../support/samples.ts';
import { setThirdPartyMode } from '../../src/services/org_admin.ts';
import { scopeField } from '../../src/interaction/consent/choices.ts';

/** The person's browser on the sample: real HTTP, its one cookie kept. */
class SampleVisitor {
  private cookie = '';
  constructor(private readonly base: string) {}

  async get(pathOrUrl: string): Promise<{ status: number; location?: string; html: string }> {
    const res = await fetch(new URL(pathOrUrl, this.base), { redirect: 'manual', headers: this.cookie ? { cookie: this.cookie } : {} });
    const set = /sample_sid=[^;]+/.exec(res.headers.get('set-cookie') ?? '')?.[0];
    if (set) this.cookie = set;
    return { status: res.status, location: res.headers.get('location') ?? undefined, html: await res.text() };
  }
}

for (const dialect of dialects()) {
  describe(`examples/sample-service handles refusals (${dialect})`, () => {
    let t: TestApp;
    let client: TestClient;
    let sample: SampleProcess;
    let app: string;

    before(async () => {
      t = await startTestApp({ dialect, listen: true });
      const carol = await seedCarolsWorkItems(t.deps);
      // Globex: Dave's organization, where Carol is a member.
      const dave = await createUser(t.deps, 'dave@example.com', 'Dave');
      const globex = (await t.deps.stores.organizations.create({ slug: 'globex', name: 'Globex', ownerUserId: dave.id }, t.deps.clock.now()))!;
      await t.deps.stores.organizations.setMember(globex.id, carol.id, 'member', t.deps.clock.now());
      const port = await freePort();
      app = `http://127.0.0.1:${port}`;
      client = await createClient(t.deps, { name: 'Sample service', redirectUris: [`${app}/callback`] });
      sample = startSample('examples/sample-service/server.mjs', { TESSERA_URL: t.issuer, CLIENT_ID: client.clientId, CLIENT_SECRET: client.clientSecret!, PORT: String(port) });
      await sample.waitFor(/listening on/);
    });
    after(async () => {
      await sample?.stop();
      await t?.close();
    });

    /**
     * From the sample's redirect to Tessera to the sample's page after the callback: signs in when
     * asked, and on the approval page leaves unticked the scopes in `untick`.
     */
    async function throughTessera(visitor: SampleVisitor, jar: Browser, authorizeUrl: string, untick: string[] = []): Promise<{ approval: Response | undefined; page: string }> {
      assert.ok(authorizeUrl.startsWith(`${t.issuer}/authorize?`), authorizeUrl);
      let res = await jar.follow(await jar.get(authorizeUrl));
      if (isSignInPage(res)) res = await jar.follow(await jar.signInOn(res, 'carol@example.com'));
      let approval: Response | undefined;
      if (isApprovalPage(res)) {
        approval = res;
        const form = findForm(res.body, /^\/interaction\/[^/]+\/decision$/)!;
        const fields: Record<string, string> = { ...form.hidden, decision: 'approve' };
        for (const scope of untick) delete fields[scopeField(scope)];
        res = await jar.post(form.action, fields);
      }
      const callback = redirectLocation(res);
      assert.ok(callback?.startsWith(`${app}/callback?`), `${res.statusCode} ${callback}\n${res.body.slice(0, 800)}`);
      const back = await visitor.get(callback!);
      assert.equal(back.location, '/', `${back.status} ${back.html.slice(0, 400)}\n${sample.output()}`);
      return { approval, page: (await visitor.get('/')).html };
    }

    it('says which permission is missing and asks for just that one; says an organization shut it out and links to the request; offers to connect again after a revocation', async () => {
      const visitor = new SampleVisitor(app);
      const jar = new Browser(t);

      // Connected, without "Read work items".
      const connect = await visitor.get('/connect');
      assert.equal(connect.status, 302);
      let { page } = await throughTessera(visitor, jar, connect.location!, ['workitems:read']);
      assert.match(page, /Connected as <strong id="who">Carol<\/strong>/, sample.output());
      assert.match(page, /<span id="scope">openid profile offline_access orgs:read<\/span>/);
      assert.match(page, /Tessera did not let this service read your work items: you have not given it the permission <code>workitems:read<\/code>\./);
      assert.match(page, /<a class="button" href="\/connect\?add=workitems%3Aread">Allow it to read your work items<\/a>/);
      assert.equal(page.match(/Allow it to read your work items/g)?.length, 1, 'one offer, however many organizations needed it');
      assert.match(page, /Acme Corp[\s\S]*Needs the permission <code>workitems:read<\/code>/);
      assert.match(page, /Globex[\s\S]*Needs the permission <code>workitems:read<\/code>/);
      assert.doesNotMatch(page, /could not be reached|Fix the login redirect/);

      // Incremental authorization: what the person allows now plus workitems:read, and the approval page shows only that.
      const more = await visitor.get('/connect?add=workitems%3Aread');
      assert.equal(more.status, 302);
      assert.deepEqual(new URL(more.location!).searchParams.get('scope')!.split(' ').sort(), ['offline_access', 'openid', 'orgs:read', 'profile', 'workitems:read']);
      const added = await throughTessera(visitor, jar, more.location!);
      assert.ok(added.approval, 'the approval page asks for the new permission');
      const asked = /<fieldset class="scopes">([\s\S]*?)<\/fieldset>/.exec(added.approval.body)?.[1] ?? '';
      assert.match(asked, /It asks for more/);
      assert.deepEqual([...asked.matchAll(/name="(scope_[^"]+)"/g)].map((m) => m[1]), [scopeField('workitems:read')], 'only what is new');
      page = added.page;
      assert.match(page, /<span id="scope">[^<]*workitems:read[^<]*<\/span>/);
      assert.match(page, /web-1: Fix the login redirect/, sample.output());
      assert.doesNotMatch(page, /Allow it to|Needs the permission/);

      // A scope the sample is not registered for is never added to the request.
      const stray = await visitor.get('/connect?add=full_access');
      assert.doesNotMatch(new URL(stray.location!).searchParams.get('scope')!, /full_access/);

      // Globex's owners let in approved services only: Tessera leaves Globex out of GET /orgs.
      const globex = (await t.deps.stores.organizations.findBySlug('globex'))!;
      await setThirdPartyMode({ stores: t.deps.stores, announce: { feed: t.deps.feed }, now: t.deps.clock.now(), via: 'test' }, globex, 'approved');
      page = (await visitor.get('/')).html;
      assert.match(page, /web-1: Fix the login redirect/, 'Acme is still there');
      const requestUrl = `${t.issuer}/orgs/globex/third-party/${client.clientId}/request`;
      assert.match(page, new RegExp(`Globex[\\s\\S]*This organization's owners do not let this service act in it\\. <a href="${requestUrl.replace(/[.?]/g, '\\$&')}">Ask its owners to approve this service</a>\\.`));
      assert.doesNotMatch(page, /could not be reached/);
      const request = await jar.get(requestUrl);
      assert.equal(request.statusCode, 200, 'the link opens the request page for the person');
      assert.match(request.body, /Sample service/);

      // Revoked: the next page offers to connect again.
      const [grantId] = await t.deps.stores.apps.liveGrantIds(client.clientId, t.deps.clock.now());
      await t.deps.revoker.revokeGrant(grantId!, 'user_revoked');
      page = (await visitor.get('/')).html;
      assert.match(page, /Tessera access was revoked — connect again/);
      assert.match(page, /<a class="button" href="\/connect">Connect your account<\/a>/);
      assert.doesNotMatch(page, /Fix the login redirect/);
    });

    it('without "See your organizations", it says so and offers to ask for it, instead of claiming there are none', async () => {
      const visitor = new SampleVisitor(app);
      const connect = await visitor.get('/connect');
      const { page } = await throughTessera(visitor, new Browser(t), connect.location!, ['orgs:read']);
      assert.match(page, /Connected as <strong id="who">Carol<\/strong>/, sample.output());
      assert.match(page, /Tessera did not let this service see your organizations: you have not given it the permission <code>orgs:read<\/code>\./);
      assert.match(page, /href="\/connect\?add=orgs%3Aread">Allow it to see your organizations<\/a>/);
      assert.doesNotMatch(page, /You do not belong to any organization/);
    });
  });
}
