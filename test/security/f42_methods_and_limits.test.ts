/**
 * SECURITY 42 — methods, content types and size limits: the back-channel endpoints take only a
 * POSTed form (RFC 6749 §3.2, RFC 7009 §2.1, RFC 7662 §2.1); other methods get 405, a JSON body
 * 400 invalid_request, a 10 MB form a fast 413, a 100 kB header 431 (on a real socket: inject
 * bypasses Node's header limit), and invalid UTF-8, %00 or %C0%AF 400 — never a 500.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createClient, createUser, type TestClient } from '../support/fixtures.ts';
import { basic, issueTestCode } from '../support/codes.ts';
import { codeRequest } from '../support/browser.ts';
import { assertNoLeak, nextAddress } from './helpers.ts';
import type { User } from '../../src/domain/users.ts';

const REDIRECT = 'https://app.example/cb';
// /par (RFC 9126 §2, issue 18) is a back-channel endpoint like /token.
const BACK_CHANNEL = ['/token', '/revoke', '/introspect', '/par'] as const;
const FORM = 'application/x-www-form-urlencoded';

/**
 * Sends raw bytes to the listening server; returns the status line's code, the response head, and
 * the milliseconds from the first byte sent to the first byte answered.
 */
function rawRequest(port: number, request: string | Buffer): Promise<{ status: number | undefined; head: string; firstByteMs: number }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    let started = 0;
    let firstByteMs = Infinity;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within 5 s; got ${JSON.stringify(received.slice(0, 200))}`));
    }, 5000);
    socket.on('data', (chunk) => {
      if (received === '') firstByteMs = performance.now() - started;
      received += chunk.toString('latin1');
    });
    const finish = () => {
      clearTimeout(timer);
      const match = /^HTTP\/1\.[01] (\d{3})/.exec(received);
      resolve({ status: match ? Number(match[1]) : undefined, head: received.split('\r\n\r\n')[0] ?? '', firstByteMs });
    };
    socket.on('end', finish);
    socket.on('close', finish);
    // The server may answer and close while we are still writing: that is the point.
    socket.on('error', () => finish());
    socket.on('connect', () => {
      started = performance.now();
      socket.write(request);
    });
  });
}

for (const dialect of dialects()) {
  describe(`SECURITY 42: methods, content types and size limits (${dialect})`, () => {
    let t: TestApp;
    let port: number;
    let alice: User;
    let c1: TestClient;

    before(async () => {
      t = await startTestApp({ dialect, listen: true });
      port = Number(new URL(t.issuer).port);
      alice = await createUser(t.deps, 'alice@example.com');
      c1 = await createClient(t.deps, { redirectUris: [REDIRECT] });
    });
    after(() => t.close());

    const auth = () => ({ authorization: basic(c1.clientId, c1.clientSecret!) });

    for (const url of BACK_CHANNEL) {
      for (const method of ['GET', 'PUT', 'PATCH', 'DELETE', 'TRACE'] as const) {
        it(`${method} ${url} gets 405 with Allow: POST`, async () => {
          const res = await t.app.inject({ method, url, headers: auth() });
          assert.equal(res.statusCode, 405);
          assert.equal(res.headers.allow, 'POST');
          assert.equal(res.json().error, 'invalid_request');
          assert.equal(res.headers['cache-control'], 'no-store');
        });
      }

      it(`a JSON body on ${url} gets 400 invalid_request, even with valid client credentials`, async () => {
        const res = await t.app.inject({
          method: 'POST',
          url,
          headers: { ...auth(), 'content-type': 'application/json' },
          payload: JSON.stringify({ grant_type: 'authorization_code', token: 'x', code: 'x' }),
        });
        assert.equal(res.statusCode, 400);
        assert.equal(res.json().error, 'invalid_request');
        assert.equal(res.headers['cache-control'], 'no-store');
      });

      it(`a form in another charset, or text/plain, on ${url} gets 400 invalid_request`, async () => {
        for (const type of [`${FORM}; charset=iso-8859-1`, 'text/plain', 'multipart/form-data; boundary=x']) {
          const res = await t.app.inject({ method: 'POST', url, headers: { ...auth(), 'content-type': type }, payload: 'token=x&grant_type=refresh_token' });
          assert.equal(res.statusCode, 400, type);
          assert.equal(res.json().error, 'invalid_request', type);
        }
      });

      it(`a 10 MB form to ${url} gets 413 in well under a second`, async () => {
        const payload = 'grant_type=authorization_code&token=' + 'a'.repeat(10 * 1024 * 1024);
        const started = performance.now();
        const res = await t.app.inject({ method: 'POST', url, headers: { ...auth(), 'content-type': FORM }, payload });
        const elapsed = performance.now() - started;
        assert.equal(res.statusCode, 413);
        assert.equal(res.json().error, 'invalid_request');
        assert.ok(elapsed < 1000, `took ${elapsed.toFixed(0)} ms`);
      });

      for (const [name, body] of [
        ['invalid UTF-8', 'grant_type=refresh_token&token=%FF%FE&refresh_token=%FF%FE'],
        ['%00', 'grant_type=refresh_token&token=a%00b&refresh_token=a%00b'],
        ['overlong %C0%AF', 'grant_type=refresh_token&token=%C0%AF&refresh_token=%C0%AF'],
        ['a truncated escape', 'grant_type=refresh_token&token=%E2%82&refresh_token=%E2%82'],
      ] as const) {
        it(`${name} in a form to ${url} gets 400 invalid_request`, async () => {
          const res = await t.app.inject({ method: 'POST', url, headers: { ...auth(), 'content-type': FORM }, payload: body });
          assert.equal(res.statusCode, 400, res.body);
          assert.equal(res.json().error, 'invalid_request');
          assertNoLeak(res, name);
        });
      }
    }

    it('a 10 MB form to /token over a real socket gets 413 in well under a second', async () => {
      const size = 10 * 1024 * 1024;
      const head = `POST /token HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: ${FORM}\r\nContent-Length: ${size}\r\n\r\n`;
      const res = await rawRequest(port, Buffer.concat([Buffer.from(head), Buffer.alloc(size, 'a')]));
      assert.equal(res.status, 413, res.head);
      // Answered from the headers: the server does not read 10 MB before refusing it.
      assert.ok(res.firstByteMs < 1000, `answered after ${res.firstByteMs.toFixed(0)} ms`);
    });

    it('a 100 kB header gets 431 on a real listening server', async () => {
      for (const url of ['/token', '/authorize', '/api/v1/me']) {
        const res = await rawRequest(port, `GET ${url} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nX-Big: ${'a'.repeat(100 * 1024)}\r\n\r\n`);
        assert.equal(res.status, 431, `${url}: ${res.head}`);
      }
      // The server is still serving.
      const after = await fetch(`${t.issuer}/healthz`);
      assert.equal(after.status, 200);
    });

    it('TRACE on every endpoint gets 405 on a real listening server, never echoing the request', async () => {
      for (const url of ['/token', '/revoke', '/introspect', '/authorize', '/userinfo', '/login', '/.well-known/jwks.json']) {
        const res = await rawRequest(port, `TRACE ${url} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nCookie: secret=tss_cookie\r\nConnection: close\r\n\r\n`);
        assert.equal(res.status, 405, `${url}: ${res.head}`);
        assert.doesNotMatch(res.head, /tss_cookie/);
      }
    });

    it('invalid UTF-8, %00 and %C0%AF in the /authorize query get a 400 error page, not a redirect', async () => {
      const { params } = codeRequest(c1.clientId, REDIRECT);
      const base = new URLSearchParams(params).toString();
      for (const bad of ['state=%FF', 'state=a%00b', 'state=%C0%AF', 'client_id=%C0%AF', 'redirect_uri=https%3A%2F%2Fapp.example%2Fcb%00']) {
        const res = await t.app.inject({ method: 'GET', url: `/authorize?${base.replace(/state=[^&]*/, '')}&${bad}`, remoteAddress: nextAddress() });
        assert.equal(res.statusCode, 400, bad);
        assert.equal(res.headers.location, undefined, bad);
        assert.match(String(res.headers['content-type']), /^text\/html/, bad);
        assertNoLeak(res, bad);
      }
    });

    it('invalid UTF-8, %00 and %C0%AF in a query of the API and userinfo get 400, never 500', async () => {
      for (const url of ['/userinfo', '/api/v1/me', '/.well-known/openid-configuration', '/login', '/token']) {
        for (const bad of ['x=%FF', 'x=%00', 'x=%C0%AF']) {
          const res = await t.app.inject({ method: url === '/token' ? 'POST' : 'GET', url: `${url}?${bad}`, headers: url === '/token' ? { 'content-type': FORM } : {}, payload: url === '/token' ? 'grant_type=refresh_token' : undefined });
          assert.equal(res.statusCode, 400, `${url}?${bad}: ${res.statusCode} ${res.body.slice(0, 200)}`);
          assertNoLeak(res, `${url}?${bad}`);
        }
      }
    });

    it('a well-formed, UTF-8 form still works after all of that (the limits refuse only what they should)', async () => {
      const issued = await issueTestCode(t.deps, { client: c1, user: alice, scopes: ['openid'] });
      const res = await t.app.inject({
        method: 'POST',
        url: '/token',
        headers: { ...auth(), 'content-type': `${FORM}; charset=utf-8` },
        payload: new URLSearchParams({ grant_type: 'authorization_code', code: issued.code, code_verifier: issued.verifier }).toString(),
      });
      assert.equal(res.statusCode, 200, res.body);
    });
  });
}
