/** The portal pages through the cookie-jar browser: sign-in, register, secret once, edit, logo, delete (issue 5). */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import pg from 'pg';
import { POSTGRES_URL, databaseOf, dialects, startTestApp, type TestApp } from '../support/app.ts';
import { Browser, findForm, hiddenInputs } from '../support/browser.ts';
import { createUser } from '../support/fixtures.ts';
import { Developer, PNG_1PX, multipart } from './helpers.ts';

/** Every byte the database holds, as text, to search for a plaintext secret (SECURITY 16, grey-box). */
async function databaseText(t: TestApp): Promise<string> {
  const db = databaseOf(t);
  if (db.dialect === 'sqlite') {
    return [db.sqlitePath!, `${db.sqlitePath!}-wal`].filter((f) => existsSync(f)).map((f) => readFileSync(f).toString('latin1')).join('\n');
  }
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    const tables = await client.query<{ table_name: string }>('SELECT table_name FROM information_schema.tables WHERE table_schema = $1', [db.schema]);
    const parts: string[] = [];
    for (const { table_name } of tables.rows) {
      const rows = await client.query<{ row: string }>(`SELECT row_to_json(t)::text AS row FROM "${db.schema}"."${table_name}" t`);
      parts.push(...rows.rows.map((r) => r.row));
    }
    return parts.join('\n');
  } finally {
    await client.end();
  }
}

const FORM = {
  kind: 'web',
  name: 'Time Tracker',
  description: 'Tracks time on work items.',
  company: 'Clockwork Ltd',
  company_url: 'https://clockwork.example/',
  website_url: 'https://tt.clockwork.example/',
  terms_url: '',
  privacy_url: 'https://tt.clockwork.example/privacy',
  redirect_uris: 'https://tt.clockwork.example/cb\nhttp://127.0.0.1/cb',
  scopes: 'openid workitems:read',
};

for (const dialect of dialects()) {
  describe(`portal pages (${dialect})`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp({ dialect });
      await createUser(t.deps, 'dev@example.com');
    });
    after(() => t.close());

    it('without a session, the portal sends the developer to /login, which comes back to the page asked for (issue 13: no sign-in form of its own)', async () => {
      const browser = new Browser(t);
      const res = await browser.get('/developers/apps');
      assert.equal(res.statusCode, 302);
      assert.equal(res.headers.location, '/login?return_to=%2Fdevelopers%2Fapps');
      // The old portal form is gone: its address sends people to the one sign-in page, and a POST to it is not a sign-in.
      assert.equal((await browser.get('/developers/sign-in')).headers.location, '/login?return_to=%2Fdevelopers%2Fapps');
      assert.notEqual((await browser.post('/developers/sign-in', { email: 'dev@example.com', password: 'correct horse battery staple' })).statusCode, 303);
      assert.equal(browser.sessionCookie(), undefined);
      // A return URL off our origin is never followed (SECURITY 2): the sign-in goes home instead.
      for (const bait of ['https://evil.example/', '//evil.example', '/\\evil.example', '/developers/../x', '/login']) {
        const page = await browser.get(`/login?return_to=${encodeURIComponent(bait)}`);
        const out = await browser.submit(page, /^\/login$/, { email: 'dev@example.com', password: 'correct horse battery staple' });
        assert.equal(out.headers.location, '/', bait);
      }
      const form = await browser.get(res.headers.location as string);
      assert.match(String(form.headers['content-security-policy']), /form-action 'self'/);
      const signedIn = await browser.submit(form, /^\/login$/, { email: 'dev@example.com', password: 'correct horse battery staple' });
      assert.equal(signedIn.statusCode, 303);
      assert.equal(signedIn.headers.location, '/developers/apps');
      const list = await browser.follow(signedIn);
      assert.equal(list.statusCode, 200);
      assert.match(list.body, /Your apps/);
    });

    it('registers an app through the form; errors show next to the field; the secret appears once; edits change scopes; delete removes it', async () => {
      const dev = await Developer.signIn(t, 'dev@example.com');
      const form = await dev.browser.get('/developers/apps/new');
      assert.equal(form.statusCode, 200);
      assert.match(form.body, /enctype="multipart\/form-data"/);

      const bad = await dev.browser.submit(form, /^\/developers\/apps$/, { ...FORM, redirect_uris: 'http://tt.clockwork.example/cb', terms_url: 'http://x.example/' });
      assert.equal(bad.statusCode, 400);
      assert.match(bad.body, /<div role="alert"><ul class="error field-errors" id="redirect_uris-errors"><li>http:\/\/tt.clockwork.example\/cb uses http/);
      assert.match(bad.body, /id="terms_url-errors"><li>must be an absolute https URL/);
      assert.match(bad.body, /value="Time Tracker"/, 'the form keeps what was typed');

      const created = await dev.browser.submit(form, /^\/developers\/apps$/, FORM);
      assert.equal(created.statusCode, 201);
      assert.equal(created.headers['cache-control'], 'no-store');
      const secret = /id="client-secret">(tss_[A-Za-z0-9_-]{43})</.exec(created.body)![1]!;
      const clientId = /id="client-id">([^<]+)</.exec(created.body)![1]!;
      const app = await t.deps.stores.apps.find(clientId);
      assert.equal(app?.name, 'Time Tracker');
      assert.equal(app?.publisher, 'Clockwork Ltd');
      assert.equal(app?.termsUrl, null);
      assert.deepEqual(app?.redirectUris, ['https://tt.clockwork.example/cb', 'http://127.0.0.1/cb']);

      // Shown once: not on the app page, the list, nor anywhere in the database (SECURITY 16).
      const page = await dev.browser.get(`/developers/apps/${clientId}`);
      assert.equal(page.statusCode, 200);
      assert.ok(!page.body.includes(secret));
      assert.ok(!(await dev.browser.get('/developers/apps')).body.includes(secret));
      const dump = await databaseText(t);
      assert.ok(!dump.includes(secret));
      assert.ok(!dump.includes(secret.slice(4)));

      // Edit the scopes.
      const edit = await dev.browser.get(`/developers/apps/${clientId}/edit`);
      assert.match(edit.body, /value="workitems:read" checked/);
      assert.match(edit.body, /<textarea name="redirect_uris"[^>]*>https:\/\/tt\.clockwork\.example\/cb\nhttp:\/\/127\.0\.0\.1\/cb<\/textarea>/);
      const saved = await dev.browser.submit(edit, new RegExp(`^/developers/apps/${clientId}$`), { ...FORM, scopes: 'openid workitems:write orgs:read' });
      assert.equal(saved.statusCode, 303);
      assert.deepEqual((await t.deps.stores.apps.find(clientId))?.scopes, ['openid', 'workitems:write', 'orgs:read']);

      // Delete.
      const before = await dev.browser.get(`/developers/apps/${clientId}`);
      const deleted = await dev.browser.submit(before, /\/delete$/);
      assert.equal(deleted.statusCode, 303);
      assert.equal(deleted.headers.location, '/developers/apps');
      assert.equal(await t.deps.stores.apps.find(clientId), undefined);
      assert.equal((await dev.browser.get(`/developers/apps/${clientId}`)).statusCode, 404);
    });

    it('sign-out return URLs: a textarea beside the callback URLs; refused next to the field (bad scheme, fragment); stored, shown and edited', async () => {
      const dev = await Developer.signIn(t, 'dev@example.com');
      const form = await dev.browser.get('/developers/apps/new');
      assert.match(form.body, /<textarea name="redirect_uris"[^>]*>[^<]*<\/textarea>[\s\S]{0,400}Sign-out return URLs[\s\S]{0,200}<textarea name="post_logout_redirect_uris"/);
      for (const [uri, reason] of [['http://tt.clockwork.example/bye', 'uses http'], ['https://tt.clockwork.example/bye#top', 'has a fragment'], ['javascript:alert(1)', 'uses the javascript: scheme']] as const) {
        const bad = await dev.browser.submit(form, /^\/developers\/apps$/, { ...FORM, post_logout_redirect_uris: uri });
        assert.equal(bad.statusCode, 400, uri);
        assert.match(bad.body, new RegExp(`id="post_logout_redirect_uris-errors"><li>[^<]*${reason}`), uri);
      }
      const created = await dev.browser.submit(form, /^\/developers\/apps$/, { ...FORM, post_logout_redirect_uris: 'https://tt.clockwork.example/bye\nhttp://127.0.0.1/bye' });
      assert.equal(created.statusCode, 201);
      const clientId = /id="client-id">([^<]+)</.exec(created.body)![1]!;
      assert.deepEqual((await t.deps.stores.apps.find(clientId))?.postLogoutRedirectUris, ['https://tt.clockwork.example/bye', 'http://127.0.0.1/bye']);
      const page = await dev.browser.get(`/developers/apps/${clientId}`);
      assert.match(page.body, /id="post-logout-redirect-uris"><ul><li><code>https:\/\/tt\.clockwork\.example\/bye<\/code>/);
      const edit = await dev.browser.get(`/developers/apps/${clientId}/edit`);
      assert.match(edit.body, /<textarea name="post_logout_redirect_uris"[^>]*>https:\/\/tt\.clockwork\.example\/bye\nhttp:\/\/127\.0\.0\.1\/bye<\/textarea>/);
      const cleared = await dev.browser.submit(edit, new RegExp(`^/developers/apps/${clientId}$`), { ...FORM, post_logout_redirect_uris: '' });
      assert.equal(cleared.statusCode, 303);
      assert.deepEqual((await t.deps.stores.apps.find(clientId))?.postLogoutRedirectUris, []);
      assert.match((await dev.browser.get(`/developers/apps/${clientId}`)).body, /id="post-logout-redirect-uris">None</);
    });

    it('a multipart form with a logo registers the app and its logo; a non-image is refused next to the field', async () => {
      const dev = await Developer.signIn(t, 'dev@example.com');
      const form = await dev.browser.get('/developers/apps/new');
      const token = hiddenInputs(form.body, /^\/developers\/apps$/).token!;
      const send = (bytes: Buffer) => {
        const body = multipart({ ...FORM, redirect_uris: FORM.redirect_uris, scopes: ['openid', 'orgs:read'], token }, { name: 'logo', filename: 'l.png', type: 'image/png', bytes });
        return t.app.inject({ method: 'POST', url: '/developers/apps', headers: { cookie: dev.cookie(), 'content-type': body.contentType }, payload: body.payload });
      };
      const bad = await send(Buffer.from('GIF89a not a png'));
      assert.equal(bad.statusCode, 400);
      assert.match(bad.body, /id="logo-errors"><li>must be a PNG or JPEG/);
      const ok = await send(PNG_1PX);
      assert.equal(ok.statusCode, 201, ok.body.slice(0, 500));
      const clientId = /id="client-id">([^<]+)</.exec(ok.body)![1]!;
      const app = await t.deps.stores.apps.find(clientId);
      assert.deepEqual(app?.scopes, ['openid', 'orgs:read']);
      assert.equal(app?.logoUrl, `${t.issuer}/developers/logos/${clientId}`);
      const logo = await t.app.inject({ method: 'GET', url: `/developers/logos/${clientId}` });
      assert.equal(logo.headers['content-type'], 'image/png');
    });

    it('a public app page has no secrets section; usage shows zero people', async () => {
      const dev = await Developer.signIn(t, 'dev@example.com');
      const created = await dev.createApp({ kind: 'spa', redirect_uris: ['https://spa.example/cb'] });
      const page = await dev.browser.get(`/developers/apps/${created.client_id}`);
      assert.ok(!page.body.includes('Client secrets'));
      assert.match(page.body, /id="active-grants">0</);
      assert.match(String(page.headers['content-security-policy']), /default-src 'none'/);
    });

    it('every portal page shows who is signed in, links to Profile and Manage applications, and signs out', async () => {
      await createUser(t.deps, 'ada@example.com', 'Ada Lovelace');
      const dev = await Developer.signIn(t, 'ada@example.com');
      const { client_id: id } = await dev.createApp();
      const pages = ['/developers/apps', '/developers/apps/new', `/developers/apps/${id}`, `/developers/apps/${id}/edit`];
      for (const path of pages) {
        const page = await dev.browser.get(path);
        assert.equal(page.statusCode, 200, path);
        const nav = /<nav aria-label="Account">(.*?)<\/nav>/s.exec(page.body)?.[1] ?? '';
        assert.match(nav, /Signed in as <strong>Ada Lovelace<\/strong>/, path);
        assert.match(nav, /<a href="\/profile">Profile<\/a>/, path);
        assert.match(nav, /<a href="\/profile\/applications">Manage applications<\/a>/, path);
        assert.ok(findForm(nav, /^\/logout\/confirm$/), `${path}: a Sign out form`);
      }
      const out = await dev.browser.submit(await dev.browser.get(`/developers/apps/${id}`), /^\/logout\/confirm$/);
      assert.equal(out.statusCode, 303);
      assert.equal(out.headers.location, '/logout');
      assert.equal(dev.browser.sessionCookie(), undefined);
      assert.equal((await dev.browser.get('/developers/apps')).headers.location, '/login?return_to=%2Fdevelopers%2Fapps', 'signed out: the portal asks to sign in again');
    });
  });
}
