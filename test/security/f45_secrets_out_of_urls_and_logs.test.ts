/**
 * SECURITY 45 — secrets stay out of URLs and logs (RFC 9700 §4.3; ASVS 14.2.1, 16.2.5). A whole
 * flow — sign-in with a password, approval, code exchange with a client secret, refresh,
 * userinfo, the API, introspection, revocation, sign-out, and some failures on the way — runs
 * with a pino logger at `debug` writing to memory. Afterwards the captured log contains none of
 * the issued or presented values, and no Location header of the flow carries a credential.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { DestinationStream } from 'pino';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createClient, createUser, PASSWORD, type TestClient } from '../support/fixtures.ts';
import { basic, postForm } from '../support/codes.ts';
import { Browser, authorize, codeRequest, type Response } from '../support/browser.ts';
import { createLogger } from '../../src/ops/logger.ts';

const REDIRECT = 'https://app.example/cb';

/** A cookie-jar browser that keeps every Location header it was sent. */
class RecordingBrowser extends Browser {
  readonly locations: string[] = [];
  override async request(options: Parameters<Browser['request']>[0]): Promise<Response> {
    const res = await super.request(options);
    if (typeof res.headers.location === 'string') this.locations.push(res.headers.location);
    return res;
  }
}

/** pino's destination: every line it writes, kept in memory. */
function memoryDestination(): { lines: string[]; stream: DestinationStream } {
  const lines: string[] = [];
  return { lines, stream: { write: (line: string) => void lines.push(line) } };
}

const CREDENTIAL_NAMES = /(^|[?&#;])(access_token|refresh_token|id_token|client_secret|password|code_verifier)=/i;

for (const dialect of dialects()) {
  for (const level of ['debug', 'info'] as const) {
    describe(`SECURITY 45: secrets stay out of URLs and logs, at ${level} (${dialect})`, () => {
      const log = memoryDestination();
      let t: TestApp;
      let client: TestClient;
      const secrets = new Map<string, string>();
      const locations: string[] = [];

      before(async () => {
        t = await startTestApp({ dialect, log: createLogger(level, log.stream) });
        await createUser(t.deps, 'alice@example.com', 'Alice');
        client = await createClient(t.deps, { redirectUris: [REDIRECT], scopes: ['openid', 'profile', 'email', 'offline_access', 'orgs:read'] });
        secrets.set('password', PASSWORD);
        secrets.set('client secret', client.clientSecret!);

        // The person's part, recorded.
        const browser = new RecordingBrowser(t);
        const { params, verifier } = codeRequest(client.clientId, REDIRECT, { scope: 'openid profile email offline_access orgs:read', nonce: 'n-45' });
        // A failed sign-in first: a wrong password must not be logged either.
        const wrongPassword = 'Wrong-' + PASSWORD.toUpperCase();
        secrets.set('wrong password', wrongPassword);
        const page = await browser.get(`/authorize?${new URLSearchParams(params)}`);
        await browser.signInOn(page, 'alice@example.com', wrongPassword);
        const callback = await authorize(t, params, { email: 'alice@example.com', approve: true, browser });
        const code = callback.searchParams.get('code')!;
        assert.ok(code, callback.href);
        secrets.set('authorization code', code);
        secrets.set('code verifier', verifier);
        secrets.set('session cookie', browser.sessionCookie()!.value);

        // The service's part.
        const exchanged = await postForm(t, '/token', client, { grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: REDIRECT });
        assert.equal(exchanged.statusCode, 200, exchanged.body);
        const tokens = exchanged.json() as { access_token: string; refresh_token: string; id_token: string };
        secrets.set('access token', tokens.access_token);
        secrets.set('refresh token', tokens.refresh_token);
        secrets.set('ID token', tokens.id_token);
        // The code again (a replay), with the secret in the body this time (client_secret_post).
        await postForm(t, '/token', null, { grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: REDIRECT, client_id: client.clientId, client_secret: client.clientSecret! });

        const refreshed = await postForm(t, '/token', null, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token }, { authorization: basic(client.clientId, client.clientSecret!) });
        // The replay above revoked the grant (SECURITY 11): this refresh fails, and is logged as a refusal.
        assert.equal(refreshed.statusCode, 400);

        // A second, clean grant to exercise the rest.
        const { params: p2, verifier: v2 } = codeRequest(client.clientId, REDIRECT, { scope: 'openid offline_access orgs:read' });
        const cb2 = await authorize(t, p2, { browser, approve: true });
        const code2 = cb2.searchParams.get('code')!;
        secrets.set('second code', code2);
        const pair = (await postForm(t, '/token', client, { grant_type: 'authorization_code', code: code2, code_verifier: v2, redirect_uri: REDIRECT })).json() as { access_token: string; refresh_token: string };
        secrets.set('second access token', pair.access_token);
        secrets.set('second refresh token', pair.refresh_token);
        const rotated = await postForm(t, '/token', client, { grant_type: 'refresh_token', refresh_token: pair.refresh_token });
        assert.equal(rotated.statusCode, 200, rotated.body);
        const pair3 = rotated.json() as { access_token: string; refresh_token: string };
        secrets.set('rotated access token', pair3.access_token);
        secrets.set('rotated refresh token', pair3.refresh_token);

        const bearer = { authorization: `Bearer ${pair3.access_token}` };
        assert.equal((await t.app.inject({ method: 'GET', url: '/userinfo', headers: bearer })).statusCode, 200);
        assert.equal((await t.app.inject({ method: 'POST', url: '/userinfo', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: `access_token=${pair3.access_token}` })).statusCode, 200);
        assert.equal((await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer })).statusCode, 200);
        // Credentials where they do not belong are refused, and not logged on the way.
        await t.app.inject({ method: 'GET', url: `/api/v1/me?access_token=${pair3.access_token}` });
        await t.app.inject({ method: 'GET', url: `/userinfo?access_token=${pair3.access_token}` });
        await t.app.inject({ method: 'POST', url: `/token?client_secret=${encodeURIComponent(client.clientSecret!)}`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: `grant_type=refresh_token&refresh_token=${pair3.refresh_token}&client_id=${client.clientId}` });
        await t.app.inject({ method: 'GET', url: `/authorize?client_id=${client.clientId}&client_secret=${encodeURIComponent(client.clientSecret!)}&code=${code2}` });
        assert.equal((await postForm(t, '/introspect', client, { token: pair3.access_token })).json().active, true);
        assert.equal((await postForm(t, '/revoke', client, { token: pair3.refresh_token })).statusCode, 200);
        await t.app.inject({ method: 'GET', url: '/userinfo', headers: bearer }); // 401 now, logged as a refusal

        // Sign-out.
        const home = await browser.get('/');
        await browser.submit(home, /^\/logout\/confirm$/);
        locations.push(...browser.locations);
      });
      after(() => t.close());

      it('the flow was logged (the capture works)', () => {
        const text = log.lines.join('');
        assert.match(text, /"path":"\/token"/);
        assert.match(text, /"path":"\/authorize"/);
        assert.match(text, /"path":"\/login"/);
        assert.ok(log.lines.length > 20, `${log.lines.length} lines`);
      });

      it('no issued or presented secret appears in the log', () => {
        const text = log.lines.join('');
        assert.ok(secrets.size >= 14);
        for (const [name, value] of secrets) {
          assert.ok(value.length >= 8, name);
          assert.ok(!text.includes(value), `the ${name} reached the log`);
          // Nor the random part of a prefixed token, nor a JWT's signature on its own.
          const randomPart = value.replace(/^ts[crsn]_/, '');
          assert.ok(!text.includes(randomPart), `the ${name} (without its prefix) reached the log`);
          if (value.split('.').length === 3) assert.ok(!text.includes(value.split('.')[2]!), `the ${name}'s signature reached the log`);
          assert.ok(!text.includes(encodeURIComponent(value)), `the ${name}, URL-encoded, reached the log`);
        }
      });

      it('no Location header of the flow carries a credential', () => {
        assert.ok(locations.length >= 4, `${locations.length} redirects seen`);
        assert.ok(locations.some((l) => l.startsWith(REDIRECT + '?code=')), 'the redirects to the client were seen');
        assert.ok(locations.includes('/logout'), 'the sign-out redirect (to the signed-out page) was seen');
        for (const location of locations) {
          assert.doesNotMatch(location, CREDENTIAL_NAMES, location);
          for (const [name, value] of secrets) {
            if (name.includes('code') && !name.includes('verifier')) continue; // codes travel in the redirect by design
            assert.ok(!location.includes(value) && !location.includes(encodeURIComponent(value)), `${name} in ${location}`);
          }
        }
      });

      it('no page link or form action of the flow carries a credential', async () => {
        const browser = new Browser(t);
        const pages = [await browser.get('/login')];
        await browser.signIn('alice@example.com');
        pages.push(await browser.get('/'), await browser.get('/logout'));
        pages.push(await browser.get(`/authorize?${new URLSearchParams(codeRequest(client.clientId, REDIRECT, { scope: 'openid profile', prompt: 'consent' }).params)}`));
        for (const page of pages) {
          for (const m of page.body.matchAll(/\b(?:href|src|action)="([^"]*)"/g)) assert.doesNotMatch(m[1]!.replace(/&amp;/g, '&'), CREDENTIAL_NAMES, m[1]!);
          assert.ok(!page.body.includes(PASSWORD));
          assert.ok(!page.body.includes(client.clientSecret!));
        }
      });
    });
  }
}
