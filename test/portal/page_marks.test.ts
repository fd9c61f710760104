/**
 * The portal's pages, second round (issue 20), through the cookie-jar browser: required fields
 * marked, high-privilege scopes marked as on the approval page, the two-secret limit said as an
 * error with its button disabled, the copy buttons' markup under a CSP that runs only our own
 * script, and the developer guide the usage panel links to, served for real.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { Browser } from '../support/browser.ts';
import { Developer } from './helpers.ts';
import { SCOPES } from '../../src/domain/scopes.ts';
import type { ApiErrorCode } from '../../src/api/problem.ts';

/** The opening tag of the form control named `name` (the first one, for radio buttons). */
function control(html: string, tag: 'input' | 'textarea', name: string): string {
  return new RegExp(`<${tag}\\b[^>]*name="${name}"[^>]*>`).exec(html)?.[0] ?? '';
}

/** No script the CSP would have to allow inline: no <script> without src, no on…= handler attribute. */
function assertNoInlineScript(html: string): void {
  assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/);
  assert.doesNotMatch(html, /<[^>]+\son[a-z]+=/i);
}

for (const dialect of dialects()) {
  describe(`portal pages, second round (${dialect})`, () => {
    let t: TestApp;
    before(async () => {
      // Sessions outlive the two days the secret-limit test moves the clock by.
      t = await startTestApp({ dialect, env: { SESSION_IDLE_TTL: String(7 * 86_400) } });
    });
    after(() => t.close());

    it('the app form marks its required fields, for the eye and with `required`, and marks high-privilege scopes as the approval page does', async () => {
      const dev = await Developer.signIn(t, 'req@example.com');
      const form = (await dev.browser.get('/developers/apps/new')).body;
      assert.match(form, /Fields marked <span class="required">\*<\/span> are required\./);
      assert.match(control(form, 'input', 'name'), /\brequired\b/);
      assert.match(control(form, 'textarea', 'redirect_uris'), /\brequired\b/);
      assert.match(control(form, 'input', 'kind'), /\brequired\b/);
      assert.doesNotMatch(control(form, 'input', 'company'), /\brequired\b/, 'optional fields are not marked');
      // The mark is hidden from screen readers, which hear `required` instead; the label's name stays "Name".
      assert.match(form, /<label>Name<span class="required" aria-hidden="true"> \*<\/span><input/);
      assert.match(form, /<legend>Kind<span class="required" aria-hidden="true"> \*<\/span><\/legend>/);
      assert.match(form, /<legend>Scopes the app may ask for<span class="required" aria-hidden="true"> \*<\/span> <span class="hint">\(at least one\)<\/span><\/legend>/);
      assert.doesNotMatch(form, /<label>Company<span class="required"/);

      // Every scope of the catalogue, each marked exactly when it is high-privilege.
      for (const [scope, info] of Object.entries(SCOPES)) {
        const line = new RegExp(`value="${scope}"[^>]*/> <code>${scope}</code> — [^<]*(<strong class="badge">High privilege</strong>)?</label>`).exec(form);
        assert.ok(line, scope);
        assert.equal(line[1] !== undefined, info.highPrivilege, scope);
      }

      // The app's page lists its scopes with the same mark.
      const { client_id: id } = await dev.createApp({ scopes: ['openid', 'workitems:read', 'workitems:write'] });
      const page = (await dev.browser.get(`/developers/apps/${id}`)).body;
      assert.match(page, /<li class="high"><code>workitems:write<\/code><strong class="badge">High privilege<\/strong><\/li>/);
      assert.match(page, /<li><code>workitems:read<\/code><\/li>/);
    });

    it("'Two secrets are active already' is an error beside a disabled button; a third secret is refused with the same page", async () => {
      const dev = await Developer.signIn(t, 'limit@example.com');
      const { client_id: id } = await dev.createApp();
      const newSecret = /<button type="submit"[^>]*>Create a new secret<\/button>/;

      let page = await dev.browser.get(`/developers/apps/${id}`);
      assert.doesNotMatch(newSecret.exec(page.body)?.[0] ?? '', /disabled/, 'one secret: a second may be made');
      assert.doesNotMatch(page.body, /Two secrets are active already/);
      assert.equal((await dev.browser.submit(page, /\/secrets$/)).statusCode, 201);

      page = await dev.browser.get(`/developers/apps/${id}`);
      assert.match(page.body, /<p class="error" role="alert" id="secrets-full">Two secrets are active already: revoke one first\.<\/p>/);
      assert.match(newSecret.exec(page.body)?.[0] ?? '', /<button type="submit" disabled aria-describedby="secrets-full">/);

      // A form posted anyway (an old tab, or a race) is refused, and the page says it the same way.
      const refused = await dev.browser.submit(page, /\/secrets$/);
      assert.equal(refused.statusCode, 409);
      assert.match(refused.body, /id="secrets-full">Two secrets are active already/);
      assert.doesNotMatch(refused.body, /class="notice"/, 'said once, as the error');
      assert.equal((await t.deps.stores.apps.listSecrets(id)).length, 2);

      // An expired secret does not count (as the store counts): the button works again.
      const [first] = await t.deps.stores.apps.listSecrets(id);
      await t.deps.stores.apps.revokeSecret(id, first!.id, t.deps.clock.now());
      const expiring = await dev.browser.submit(await dev.browser.get(`/developers/apps/${id}`), /\/secrets$/, { expires_in_days: '1' });
      assert.equal(expiring.statusCode, 201);
      assert.match((await dev.browser.get(`/developers/apps/${id}`)).body, /id="secrets-full"/);
      t.clock.advance(2 * 86_400);
      assert.doesNotMatch((await dev.browser.get(`/developers/apps/${id}`)).body, /id="secrets-full"/);
    });

    it('the client id and the secret have copy buttons: hidden until our own script (script-src self) shows them, the value plain text', async () => {
      const dev = await Developer.signIn(t, 'copy@example.com');
      const form = await dev.browser.get('/developers/apps/new');
      const created = await dev.browser.submit(form, /^\/developers\/apps$/, { kind: 'web', name: 'Copier', redirect_uris: 'https://copier.example/cb', scopes: 'openid' });
      assert.equal(created.statusCode, 201);
      const secret = /<code id="client-secret">(tss_[A-Za-z0-9_-]{43})<\/code>/.exec(created.body)?.[1];
      assert.ok(secret, 'the secret is plain text in its own element');
      for (const [id, name] of [['client-id', 'client_id'], ['client-secret', 'client_secret']]) {
        assert.match(created.body, new RegExp(`<span class="copy" data-copy="${id}" hidden><button type="button" class="secondary">Copy<span class="visually-hidden"> the ${name}</span></button> <span role="status" class="hint"></span></span>`));
      }
      assert.match(created.body, /<script type="module" src="\/assets\/copy\.js"><\/script>/);
      assertNoInlineScript(created.body);
      const csp = String(created.headers['content-security-policy']);
      assert.match(csp, /script-src 'self'(;|$)/);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);

      const id = /<code id="client-id">([0-9a-f]+)<\/code>/.exec(created.body)![1]!;
      const page = await dev.browser.get(`/developers/apps/${id}`);
      assert.match(page.body, /data-copy="client-id"/);
      assert.match(String(page.headers['content-security-policy']), /script-src 'self'/);
      assertNoInlineScript(page.body);

      const script = await t.app.inject({ method: 'GET', url: '/assets/copy.js' });
      assert.equal(script.statusCode, 200);
      assert.equal(script.headers['content-type'], 'text/javascript; charset=utf-8');
      assert.match(script.body, /navigator\.clipboard/);
    });

    it("'the developer guide' links to a page that is served, without a session, and says what to do about every API error code", async () => {
      const dev = await Developer.signIn(t, 'guide@example.com');
      const { client_id: id } = await dev.createApp();
      const page = (await dev.browser.get(`/developers/apps/${id}`)).body;
      assert.match(page, /the <a href="\/developers\/guide">developer guide<\/a> says what to do about each code/);
      assert.match(page, /<nav class="portal-nav"><a href="\/developers\/apps">Your apps<\/a> <a href="\/developers\/guide">Developer guide<\/a><\/nav>/);

      const guide = await new Browser(t).get('/developers/guide');
      assert.equal(guide.statusCode, 200);
      assert.match(String(guide.headers['content-type']), /^text\/html/);
      assert.match(String(guide.headers['content-security-policy']), /default-src 'none'/);
      assert.match(guide.body, /<h1>Developer guide<\/h1>/);
      assert.match(guide.body, /href="\/api\/v1\/docs"/);
      const codes: ApiErrorCode[] = ['insufficient_scope', 'org_policy_blocked', 'grant_revoked', 'token_expired', 'rate_limited', 'second_factor_required'];
      for (const code of codes) assert.match(guide.body, new RegExp(`<dt id="api-${code}"><code>${code}</code></dt><dd>[^<]+<strong>What to do:</strong> [^<]+</dd>`), code);
      for (const code of ['invalid_client', 'invalid_grant', 'slow_down']) assert.match(guide.body, new RegExp(`<dt id="token-${code}"><code>${code}</code></dt>`), code);
      // The pages it links to are there.
      for (const path of ['/api/v1/docs', '/.well-known/openid-configuration']) assert.equal((await t.app.inject({ method: 'GET', url: path })).statusCode, 200, path);
    });
  });
}
