/**
 * Issue 18, RFC 9449 §5.2: every way of registering an app can make it take only DPoP-bound tokens
 * — `tessera app create --dpop`, the portal's checkbox (form and JSON API), and dynamic
 * registration's `dpop_bound_access_tokens` — and such an app's token request without a proof gets
 * invalid_request, while one with a proof gets a DPoP token. Apps without it still get Bearer tokens.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { issueTestCode, postForm } from '../support/codes.ts';
import { createUser } from '../support/fixtures.ts';
import { proof, proofKey } from '../support/dpop.ts';
import { registerClient } from '../support/registration.ts';
import { clientIdOf, Developer } from '../portal/helpers.ts';
import { CliTarget } from '../cli/cli.ts';

const NATIVE = 'http://127.0.0.1/cb';

/** The token_type /token answers this public app, or its error: without a proof, or with one. */
async function tokenAnswer(t: TestApp, clientId: string, withProof: boolean): Promise<string> {
  const user = (await t.deps.stores.users.findByEmail('person@example.com')) ?? (await createUser(t.deps, 'person@example.com'));
  const app = (await t.deps.stores.apps.find(clientId))!;
  const issued = await issueTestCode(t.deps, { client: { app, clientId }, user, scopes: ['openid'] });
  const headers: Record<string, string> = withProof ? { dpop: await proof(await proofKey(), { htm: 'POST', htu: `${t.issuer}/token` }) } : {};
  const res = await postForm(t, '/token', { app, clientId }, { grant_type: 'authorization_code', code: issued.code, code_verifier: issued.verifier }, headers);
  const body = res.json() as { token_type?: string; error?: string };
  return body.token_type ?? body.error!;
}

for (const dialect of dialects()) {
  describe(`dpop_bound_access_tokens per app (${dialect})`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp({ dialect, env: { DYNAMIC_REGISTRATION: 'on' } });
    });
    after(() => t.close());

    it('dynamic registration takes the metadata as a boolean and reports it back', async () => {
      const register = (metadata: Record<string, unknown>) => registerClient(t, { client_name: 'Bound App', redirect_uris: [NATIVE], token_endpoint_auth_method: 'none', ...metadata });
      const strict = await register({ dpop_bound_access_tokens: true });
      assert.equal(strict.statusCode, 201, strict.body);
      assert.equal(strict.json().dpop_bound_access_tokens, true);
      const strictId = strict.json().client_id as string;
      assert.equal((await t.deps.stores.apps.find(strictId))?.dpopBoundAccessTokens, true);
      assert.equal(await tokenAnswer(t, strictId, false), 'invalid_request');
      assert.equal(await tokenAnswer(t, strictId, true), 'DPoP');

      const plain = await register({});
      assert.equal(plain.json().dpop_bound_access_tokens, false);
      assert.equal(await tokenAnswer(t, plain.json().client_id, false), 'Bearer');

      const bad = await register({ dpop_bound_access_tokens: 'yes' });
      assert.deepEqual([bad.statusCode, bad.json().error], [400, 'invalid_client_metadata']);
    });

    it('the portal form has the checkbox; ticked, the app takes only bound tokens, and the JSON API reads and writes it', async () => {
      const dev = await Developer.signIn(t, 'dev@example.com');
      const form = await dev.browser.get('/developers/apps/new');
      assert.match(form.body, /<input type="checkbox" name="dpop_bound_access_tokens"/);
      const created = await dev.postNewAppForm(form, { kind: 'cli', name: 'Bound CLI', redirect_uris: NATIVE, scopes: ['openid', 'workitems:read'], dpop_bound_access_tokens: 'on' });
      assert.equal(created.statusCode, 303, created.body.slice(0, 500));
      const clientId = clientIdOf(created);
      assert.equal((await t.deps.stores.apps.find(clientId))?.dpopBoundAccessTokens, true);
      assert.match((await dev.browser.get(created.headers.location as string)).body, /id="dpop-bound">DPoP-bound only/);
      assert.match((await dev.browser.get(`/developers/apps/${clientId}/edit`)).body, /name="dpop_bound_access_tokens" checked/);
      assert.equal(await tokenAnswer(t, clientId, false), 'invalid_request');

      const viaJson = await dev.createApp({ kind: 'cli', redirect_uris: [NATIVE], dpop_bound_access_tokens: true });
      assert.equal(viaJson.dpop_bound_access_tokens, true);
      assert.equal((await dev.api('GET', `/apps/${viaJson.client_id}`)).json().dpop_bound_access_tokens, true);
      assert.equal(await tokenAnswer(t, viaJson.client_id, false), 'invalid_request');
      const plain = await dev.createApp({ kind: 'cli', redirect_uris: [NATIVE] });
      assert.equal(plain.dpop_bound_access_tokens, false);
      assert.equal(await tokenAnswer(t, plain.client_id, false), 'Bearer');
    });
  });

  describe(`tessera app create --dpop (${dialect})`, () => {
    let cli: CliTarget;
    let server: TestApp;
    before(async () => {
      cli = await CliTarget.create(dialect);
    });
    after(() => server?.close());

    it('makes the app take only DPoP-bound tokens; without the flag it does not', async () => {
      const strict = await cli.json<{ client_id: string }>(['app', 'create', '--name', 'Bound', '--redirect-uri', NATIVE, '--public', '--dpop']);
      const plain = await cli.json<{ client_id: string }>(['app', 'create', '--name', 'Plain', '--redirect-uri', NATIVE, '--public']);
      server = await cli.startApp();
      assert.equal(await tokenAnswer(server, strict.client_id, false), 'invalid_request');
      assert.equal(await tokenAnswer(server, strict.client_id, true), 'DPoP');
      assert.equal(await tokenAnswer(server, plain.client_id, false), 'Bearer');
    });
  });
}
