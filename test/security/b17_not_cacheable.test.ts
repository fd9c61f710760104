/**
 * SECURITY 17 — token-bearing responses are not cacheable (RFC 6749 §5.1; conformance
 * CheckTokenEndpointCacheHeaders): every answer of /token, /introspect and /revoke — success,
 * protocol error, authentication failure, 405, 413, malformed body — carries
 * `Cache-Control: no-store` and `Pragma: no-cache`, and a JSON body (empty only for a revoke's 200).
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { InjectOptions } from 'fastify';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createClient, createUser, type TestClient } from '../support/fixtures.ts';
import { basic, issueTestCode } from '../support/codes.ts';
import { nextAddress } from './helpers.ts';
import type { User } from '../../src/domain/users.ts';

const FORM = 'application/x-www-form-urlencoded';

for (const dialect of dialects()) {
  describe(`SECURITY 17: token-bearing responses are not cacheable (${dialect})`, () => {
    let t: TestApp;
    let alice: User;
    let c1: TestClient;

    before(async () => {
      t = await startTestApp({ dialect });
      alice = await createUser(t.deps, 'alice@example.com');
      c1 = await createClient(t.deps);
    });
    after(() => t.close());

    async function send(label: string, options: InjectOptions) {
      const res = await t.app.inject({ remoteAddress: nextAddress(), ...options });
      assert.equal(res.headers['cache-control'], 'no-store', `${label}: Cache-Control`);
      assert.equal(res.headers.pragma, 'no-cache', `${label}: Pragma`);
      assert.notEqual(res.statusCode, 500, label);
      if (res.body !== '') {
        assert.match(String(res.headers['content-type']), /^application\/json/, `${label}: content type`);
        assert.doesNotThrow(() => JSON.parse(res.body), `${label}: JSON body`);
      }
      return res;
    }

    function variants(url: string, good: Record<string, string>): [string, InjectOptions][] {
      const auth = { authorization: basic(c1.clientId, c1.clientSecret!) };
      const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
      return [
        ['success', { method: 'POST', url, headers: { ...auth, 'content-type': FORM }, payload: form(good) }],
        ['no client authentication', { method: 'POST', url, headers: { 'content-type': FORM }, payload: form(good) }],
        ['a wrong secret', { method: 'POST', url, headers: { authorization: basic(c1.clientId, 'tss_wrong'), 'content-type': FORM }, payload: form(good) }],
        ['a missing parameter', { method: 'POST', url, headers: { ...auth, 'content-type': FORM }, payload: '' }],
        ['a duplicated parameter', { method: 'POST', url, headers: { ...auth, 'content-type': FORM }, payload: `${form(good)}&${form(good)}` }],
        ['a JSON body', { method: 'POST', url, headers: { ...auth, 'content-type': 'application/json' }, payload: JSON.stringify(good) }],
        ['a malformed form', { method: 'POST', url, headers: { ...auth, 'content-type': FORM }, payload: 'token=%C0%AF' }],
        ['a 100 kB form', { method: 'POST', url, headers: { ...auth, 'content-type': FORM }, payload: `token=${'a'.repeat(100 * 1024)}` }],
        ['GET', { method: 'GET', url }],
        ['DELETE', { method: 'DELETE', url }],
      ];
    }

    it('/token: success and every kind of failure', async () => {
      const issued = await issueTestCode(t.deps, { client: c1, user: alice, scopes: ['openid', 'workitems:read', 'workitems:write', 'offline_access'] });
      const statuses: number[] = [];
      for (const [label, options] of variants('/token', { grant_type: 'authorization_code', code: issued.code, code_verifier: issued.verifier })) {
        const res = await send(`/token ${label}`, options);
        statuses.push(res.statusCode);
        if (label === 'success') {
          assert.equal(res.statusCode, 200, res.body);
          const body = res.json();
          assert.equal(body.token_type, 'Bearer');
          assert.equal(typeof body.access_token, 'string');
          // Narrowing shows in `scope` (RFC 6749 §5.1): refresh asking for less.
          const narrowed = await send('/token narrowed refresh', {
            method: 'POST',
            url: '/token',
            headers: { authorization: basic(c1.clientId, c1.clientSecret!), 'content-type': FORM },
            payload: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: body.refresh_token, scope: 'workitems:read' }).toString(),
          });
          assert.equal(narrowed.statusCode, 200, narrowed.body);
          assert.equal(narrowed.json().scope, 'workitems:read');
        }
      }
      for (const status of [200, 400, 401, 405, 413]) assert.ok(statuses.includes(status), `a ${status} was seen: ${statuses.join(',')}`);
      // An unsupported grant and a bad code are errors with bodies too.
      for (const payload of ['grant_type=password&username=a&password=b', 'grant_type=authorization_code&code=tsc_x&code_verifier=' + 'v'.repeat(43)]) {
        const res = await send(`/token ${payload}`, { method: 'POST', url: '/token', headers: { authorization: basic(c1.clientId, c1.clientSecret!), 'content-type': FORM }, payload });
        assert.equal(res.statusCode, 400);
      }
    });

    it('/introspect: success and every kind of failure', async () => {
      const statuses: number[] = [];
      for (const [label, options] of variants('/introspect', { token: 'not-a-token' })) {
        const res = await send(`/introspect ${label}`, options);
        statuses.push(res.statusCode);
        if (label === 'success') assert.equal(res.body, '{"active":false}');
      }
      for (const status of [200, 400, 401, 405, 413]) assert.ok(statuses.includes(status), `a ${status} was seen: ${statuses.join(',')}`);
    });

    it('/revoke: success and every kind of failure', async () => {
      const statuses: number[] = [];
      for (const [label, options] of variants('/revoke', { token: 'not-a-token' })) {
        const res = await send(`/revoke ${label}`, options);
        statuses.push(res.statusCode);
      }
      for (const status of [200, 400, 401, 405, 413]) assert.ok(statuses.includes(status), `a ${status} was seen: ${statuses.join(',')}`);
    });
  });
}
