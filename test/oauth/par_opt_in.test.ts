/**
 * Issue 18, RFC 9126 §6: every way of registering an app can make it require pushed authorization
 * requests — `tessera app create --require-par`, the portal's checkbox (form and JSON API), and
 * dynamic registration's `require_pushed_authorization_requests` — and such an app's front-channel
 * requests get invalid_request at its redirect URI, while its pushed ones proceed. Apps without it
 * are unaffected.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { authorize, codeRequest } from '../support/browser.ts';
import { basic } from '../support/codes.ts';
import { createUser } from '../support/fixtures.ts';
import { registerClient } from '../support/registration.ts';
import { clientIdOf, Developer } from '../portal/helpers.ts';
import { CliTarget } from '../cli/cli.ts';

const NATIVE = 'http://127.0.0.1/cb';

/** The error a signed-in person's front-channel request of this app ends in (undefined: a code or an approval). */
async function frontChannelError(t: TestApp, clientId: string, redirectUri: string): Promise<string | null> {
  if (!(await t.deps.stores.users.findByEmail('person@example.com'))) await createUser(t.deps, 'person@example.com');
  const { params } = codeRequest(clientId, redirectUri);
  try {
    return (await authorize(t, params, { email: 'person@example.com' })).searchParams.get('error');
  } catch (err) {
    // No error: the request reached the approval page, which `authorize` stops at without `approve`.
    if (err instanceof Error && /authorization stopped at 200/.test(err.message)) return null;
    throw err;
  }
}

/** POST /par as a public client (client_id only); the status. */
async function pushStatus(t: TestApp, clientId: string, redirectUri: string, secret?: string): Promise<number> {
  const { params } = codeRequest(clientId, redirectUri);
  const res = await t.app.inject({
    method: 'POST',
    url: '/par',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(secret ? { authorization: basic(clientId, secret) } : {}) },
    payload: new URLSearchParams(params).toString(),
  });
  return res.statusCode;
}

for (const dialect of dialects()) {
  describe(`require_pushed_authorization_requests per app (${dialect})`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp({ dialect, env: { DYNAMIC_REGISTRATION: 'on' } });
    });
    after(() => t.close());

    it('dynamic registration takes the metadata as a boolean and reports it back', async () => {
      const register = (metadata: Record<string, unknown>) => registerClient(t, { client_name: 'Strict App', redirect_uris: [NATIVE], token_endpoint_auth_method: 'none', ...metadata });
      const strict = await register({ require_pushed_authorization_requests: true });
      assert.equal(strict.statusCode, 201, strict.body);
      const strictId = strict.json().client_id as string;
      assert.equal(strict.json().require_pushed_authorization_requests, true);
      assert.equal((await t.deps.stores.apps.find(strictId))?.requirePar, true);
      assert.equal(await frontChannelError(t, strictId, NATIVE), 'invalid_request');
      assert.equal(await pushStatus(t, strictId, NATIVE), 201);

      const plain = await register({});
      assert.equal(plain.json().require_pushed_authorization_requests, false);
      assert.equal(await frontChannelError(t, plain.json().client_id, NATIVE), null);

      const bad = await register({ require_pushed_authorization_requests: 'yes' });
      assert.deepEqual([bad.statusCode, bad.json().error], [400, 'invalid_client_metadata']);
    });

    it('the portal form has the checkbox; ticked, the app requires PAR, and the JSON API reads and writes it', async () => {
      const dev = await Developer.signIn(t, 'dev@example.com');
      const form = await dev.browser.get('/developers/apps/new');
      assert.match(form.body, /<input type="checkbox" name="require_pushed_authorization_requests"/);
      const created = await dev.postNewAppForm(form, { kind: 'cli', name: 'Strict CLI', redirect_uris: NATIVE, scopes: ['openid', 'workitems:read'], require_pushed_authorization_requests: 'on' });
      assert.equal(created.statusCode, 303, created.body.slice(0, 500));
      const clientId = clientIdOf(created);
      assert.equal((await t.deps.stores.apps.find(clientId))?.requirePar, true);
      assert.match((await dev.browser.get(created.headers.location as string)).body, /id="require-par">Required/);
      // The edit form keeps it ticked.
      assert.match((await dev.browser.get(`/developers/apps/${clientId}/edit`)).body, /name="require_pushed_authorization_requests" checked/);
      assert.equal(await frontChannelError(t, clientId, NATIVE), 'invalid_request');

      const viaJson = await dev.createApp({ kind: 'cli', redirect_uris: [NATIVE], require_pushed_authorization_requests: true });
      assert.equal(viaJson.require_pushed_authorization_requests, true);
      assert.equal((await t.deps.stores.apps.find(viaJson.client_id))?.requirePar, true);
      const read = await dev.api('GET', `/apps/${viaJson.client_id}`);
      assert.equal(read.json().require_pushed_authorization_requests, true);
      const plain = await dev.createApp({ kind: 'cli', redirect_uris: [NATIVE] });
      assert.equal(plain.require_pushed_authorization_requests, false);
      assert.equal((await t.deps.stores.apps.find(plain.client_id))?.requirePar, false);
    });
  });

  describe(`tessera app create --require-par (${dialect})`, () => {
    let cli: CliTarget;
    let server: TestApp;
    before(async () => {
      cli = await CliTarget.create(dialect);
    });
    after(() => server?.close());

    it('makes the app require pushed requests; without the flag it does not', async () => {
      const strict = await cli.json<{ client_id: string; client_secret: string }>(['app', 'create', '--name', 'Strict', '--redirect-uri', 'https://strict.example/cb', '--require-par']);
      const plain = await cli.json<{ client_id: string }>(['app', 'create', '--name', 'Plain', '--redirect-uri', 'https://plain.example/cb']);
      server = await cli.startApp();
      assert.equal(await frontChannelError(server, strict.client_id, 'https://strict.example/cb'), 'invalid_request');
      assert.equal(await pushStatus(server, strict.client_id, 'https://strict.example/cb', strict.client_secret), 201);
      assert.equal(await frontChannelError(server, plain.client_id, 'https://plain.example/cb'), null);
    });
  });
}
