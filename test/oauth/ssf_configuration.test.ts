/**
 * The Shared Signals transmitter endpoints (issue 19, OpenID SSF 1.0), both dialects: the
 * metadata at /.well-known/ssf-configuration (§7.1) and the read of an app's stream (§8.1.1.2),
 * authenticated as the confidential client like /introspect. The app's registration is its stream,
 * so creating, changing and deleting streams answer 405.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createClient } from '../support/fixtures.ts';
import { basic } from '../support/codes.ts';

const CAEP = ['https://schemas.openid.net/secevent/caep/event-type/session-revoked', 'https://schemas.openid.net/secevent/caep/event-type/token-claims-change'];

for (const dialect of dialects()) {
  describe(`SSF transmitter configuration (${dialect})`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp({ dialect });
    });
    after(() => t.close());

    it('publishes the transmitter metadata (§7.1)', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/.well-known/ssf-configuration' });
      assert.equal(res.statusCode, 200);
      assert.match(String(res.headers['content-type']), /^application\/json/);
      assert.deepEqual(res.json(), {
        spec_version: '1_0',
        issuer: t.issuer,
        jwks_uri: `${t.issuer}/.well-known/jwks.json`,
        delivery_methods_supported: ['urn:ietf:rfc:8935'],
        configuration_endpoint: `${t.issuer}/ssf/stream`,
        authorization_schemes: [{ spec_urn: 'urn:ietf:rfc:6749' }],
        default_subjects: 'ALL',
      });
      assert.equal((await t.app.inject({ method: 'POST', url: '/.well-known/ssf-configuration' })).statusCode, 405);
    });

    it("reads the calling app's stream, authenticated as its client; another stream id is a 404", async () => {
      const client = await createClient(t.deps, { name: 'Receiver', ssfEndpointUrl: 'https://rp.example/ssf' });
      const auth = { authorization: basic(client.clientId, client.clientSecret!) };
      const expected = {
        stream_id: client.clientId,
        iss: t.issuer,
        aud: client.clientId,
        delivery: { method: 'urn:ietf:rfc:8935', endpoint_url: 'https://rp.example/ssf' },
        events_supported: CAEP,
        events_requested: CAEP,
        events_delivered: CAEP,
      };
      const one = await t.app.inject({ method: 'GET', url: `/ssf/stream?stream_id=${client.clientId}`, headers: auth });
      assert.equal(one.statusCode, 200, one.body);
      assert.equal(one.headers['cache-control'], 'no-store');
      const body = one.json() as Record<string, unknown>;
      assert.match(String(body.description), /registration is its stream/);
      delete body.description;
      assert.deepEqual(body, expected);
      const all = await t.app.inject({ method: 'GET', url: '/ssf/stream', headers: auth });
      assert.equal(all.statusCode, 200);
      assert.equal((all.json() as unknown[]).length, 1);
      assert.equal((await t.app.inject({ method: 'GET', url: '/ssf/stream?stream_id=someone-else', headers: auth })).statusCode, 404);

      // Without an endpoint, no stream: an empty list, and a 404 by id (§8.1.1.2).
      const none = await createClient(t.deps, { name: 'No receiver' });
      const noneAuth = { authorization: basic(none.clientId, none.clientSecret!) };
      assert.deepEqual((await t.app.inject({ method: 'GET', url: '/ssf/stream', headers: noneAuth })).json(), []);
      assert.equal((await t.app.inject({ method: 'GET', url: `/ssf/stream?stream_id=${none.clientId}`, headers: noneAuth })).statusCode, 404);
    });

    it('refuses a wrong secret, no credentials, a public client and credentials in the query (401/400)', async () => {
      const client = await createClient(t.deps, { name: 'Receiver 2', ssfEndpointUrl: 'https://rp.example/ssf' });
      const wrong = await t.app.inject({ method: 'GET', url: '/ssf/stream', headers: { authorization: basic(client.clientId, 'wrong-secret') } });
      assert.equal(wrong.statusCode, 401);
      assert.equal((wrong.json() as { error: string }).error, 'invalid_client');
      assert.equal((await t.app.inject({ method: 'GET', url: '/ssf/stream' })).statusCode, 401);
      const pub = await createClient(t.deps, { name: 'Public', public: true, redirectUris: ['com.example.app:/cb'] });
      assert.equal((await t.app.inject({ method: 'GET', url: `/ssf/stream?client_id=${pub.clientId}` })).statusCode, 400);
      const query = await t.app.inject({ method: 'GET', url: `/ssf/stream?client_id=${client.clientId}&client_secret=${client.clientSecret}` });
      assert.equal(query.statusCode, 400);
    });

    it('streams are not created, changed or deleted through SSF: 405 with Allow', async () => {
      const client = await createClient(t.deps, { name: 'Receiver 3', ssfEndpointUrl: 'https://rp.example/ssf' });
      const authorization = basic(client.clientId, client.clientSecret!);
      const change = JSON.stringify({ delivery: { method: 'urn:ietf:rfc:8935', endpoint_url: 'https://evil.example/' } });
      for (const method of ['POST', 'PATCH', 'PUT', 'DELETE'] as const) {
        const res = await t.app.inject(
          method === 'DELETE'
            ? { method, url: `/ssf/stream?stream_id=${client.clientId}`, headers: { authorization } }
            : { method, url: '/ssf/stream', headers: { authorization, 'content-type': 'application/json' }, payload: change },
        );
        assert.equal(res.statusCode, 405, method);
        assert.match(String(res.headers.allow), /GET/);
      }
      assert.equal((await t.deps.stores.apps.find(client.clientId))!.ssfEndpointUrl, 'https://rp.example/ssf');
    });
  });
}
