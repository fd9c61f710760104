/**
 * SECURITY R8 (issue 8 "Time"): every lifetime behaves exactly at its edge. For each kind the
 * artifact is made at T0 on a frozen clock and used at T0 + TTL − 1 s (works), T0 + TTL and
 * T0 + TTL + 1 s (refused), with the TTLs read from the running configuration (t.config.ttl).
 * The rule everywhere: an artifact lives for [T0, T0 + TTL): the last second that works is
 * T0 + TTL − 1; at T0 + TTL it is dead. Kinds: authorization code; access token at /userinfo,
 * /api/v1 and /introspect; refresh token idle and absolute lifetime; session idle and absolute
 * timeout; the pending authorization request (interaction); the grant lifetime chosen on the
 * approval page (7 and 30 days, grants.expires_at).
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createClient, createUser, type TestClient } from '../support/fixtures.ts';
import { exchangeCode, introspect, issueTestCode, obtainTokens, refresh } from '../support/codes.ts';
import { Browser, codeRequest, authorizeUrl, isApprovalPage, isSignInPage, redirectLocation } from '../support/browser.ts';
import type { User } from '../../src/domain/users.ts';

const REDIRECT = 'https://app.example/cb';
const DAY = 86400;

/** Three probes around an edge: one second before it, on it, one second after it. */
const EDGES = [
  { offset: -1, works: true, name: 'TTL − 1 s' },
  { offset: 0, works: false, name: 'TTL' },
  { offset: 1, works: false, name: 'TTL + 1 s' },
] as const;

/**
 * Freezes the app's clock on a whole second and lets the test set it: real time must not tick
 * between issuing and using, or "exactly TTL − 1" could become TTL.
 */
let latest = 0;
function freeze(t: TestApp): { t0: number; at(seconds: number): void } {
  // Never backwards: the throttles (GCRA) would read a clock that jumps back as a burst.
  const t0 = Math.max(Math.floor(Date.now() / 1000), latest + 1);
  latest = t0;
  let current = t0;
  t.clock.nowMs = () => current * 1000;
  return {
    t0,
    at: (seconds: number) => {
      current = t0 + seconds;
      latest = Math.max(latest, current);
    },
  };
}

for (const dialect of dialects()) {
  describe(`SECURITY R8: TTL edges at exactly ± 1 s (${dialect})`, () => {
    let t: TestApp;
    let alice: User;
    let c1: TestClient;

    before(async () => {
      // The throttles count in real time; a clock moved by days must not trip them.
      t = await startTestApp({ dialect, env: { THROTTLE_CLIENT_AUTH: '1000000/60', THROTTLE_CLIENT_AUTH_PER_IP: '1000000/60', THROTTLE_INVALID_GRANT: '1000000/60', THROTTLE_INVALID_GRANT_PER_IP: '1000000/60', THROTTLE_LOGIN: '1000000/60', THROTTLE_LOGIN_PER_IP: '1000000/60', THROTTLE_LOGIN_PER_ACCOUNT: '1000000/60' } });
      alice = await createUser(t.deps, 'alice@example.com', 'Alice');
      c1 = await createClient(t.deps, { redirectUris: [REDIRECT] });
    });
    after(() => t.close());

    it('authorization code: redeemable at TTL − 1 s, invalid_grant at TTL and TTL + 1 s', async () => {
      const ttl = t.config.ttl.authorizationCode;
      for (const edge of EDGES) {
        const clock = freeze(t);
        const issued = await issueTestCode(t.deps, { client: c1, user: alice, scopes: ['openid'] });
        clock.at(ttl + edge.offset);
        const res = await exchangeCode(t, c1, issued);
        if (edge.works) assert.equal(res.statusCode, 200, `${edge.name}: ${res.body}`);
        else {
          assert.equal(res.statusCode, 400, `${edge.name}: ${res.body}`);
          assert.equal(res.json().error, 'invalid_grant', edge.name);
        }
      }
    });

    it('access token: /userinfo, /api/v1/me and /introspect accept it at TTL − 1 s and refuse it at TTL and TTL + 1 s', async () => {
      const ttl = t.config.ttl.accessToken;
      for (const edge of EDGES) {
        const clock = freeze(t);
        const tokens = await obtainTokens(t, { client: c1, user: alice, scopes: ['openid', 'profile'] });
        clock.at(ttl + edge.offset);
        const auth = { authorization: `Bearer ${tokens.access_token}` };
        const userinfo = await t.app.inject({ method: 'GET', url: '/userinfo', headers: auth });
        const api = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: auth });
        const active = (await introspect(t, c1, tokens.access_token)).active;
        if (edge.works) {
          assert.equal(userinfo.statusCode, 200, `${edge.name} userinfo: ${userinfo.body}`);
          assert.equal(api.statusCode, 200, `${edge.name} api: ${api.body}`);
          assert.equal(active, true, `${edge.name} introspection`);
        } else {
          assert.equal(userinfo.statusCode, 401, `${edge.name} userinfo`);
          assert.match(String(userinfo.headers['www-authenticate']), /invalid_token/, edge.name);
          assert.equal(api.statusCode, 401, `${edge.name} api: ${api.body}`);
          assert.ok(['invalid_token', 'token_expired'].includes(api.json().code), `${edge.name} api code ${api.json().code}`);
          assert.equal(active, false, `${edge.name} introspection`);
        }
      }
    });

    it('refresh token idle lifetime: refreshes at TTL − 1 s unused, invalid_grant at TTL and TTL + 1 s', async () => {
      const idle = t.config.ttl.refreshTokenIdle;
      assert.ok(idle < t.config.ttl.refreshTokenAbsolute, 'idle is the shorter limit in the default configuration');
      for (const edge of EDGES) {
        const clock = freeze(t);
        const tokens = await obtainTokens(t, { client: c1, user: alice, scopes: ['openid', 'offline_access'] });
        clock.at(idle + edge.offset);
        const res = await refresh(t, c1, tokens.refresh_token);
        if (edge.works) assert.equal(res.statusCode, 200, `${edge.name}: ${res.body}`);
        else assert.equal(res.json().error, 'invalid_grant', `${edge.name}: ${res.body}`);
      }
    });

    it('refresh token absolute lifetime: a family kept in use refreshes at TTL − 1 s and ends at TTL and TTL + 1 s', async () => {
      const { refreshTokenIdle: idle, refreshTokenAbsolute: absolute } = t.config.ttl;
      for (const edge of EDGES) {
        const clock = freeze(t);
        let rt = (await obtainTokens(t, { client: c1, user: alice, scopes: ['openid', 'offline_access'] })).refresh_token;
        // Used just inside every idle window, so only the absolute limit can end it.
        const step = idle - 60;
        for (let at = step; at < absolute - 1; at += step) {
          clock.at(at);
          const res = await refresh(t, c1, rt);
          assert.equal(res.statusCode, 200, `rotation at +${at}s: ${res.body}`);
          rt = res.json().refresh_token;
        }
        clock.at(absolute + edge.offset);
        const res = await refresh(t, c1, rt);
        if (edge.works) assert.equal(res.statusCode, 200, `${edge.name}: ${res.body}`);
        else assert.equal(res.json().error, 'invalid_grant', `${edge.name}: ${res.body}`);
      }
    });

    /** Signs in a new browser at the current (frozen) time. */
    async function signedIn(): Promise<Browser> {
      const browser = new Browser(t);
      assert.equal((await browser.signIn('alice@example.com')).statusCode, 303);
      return browser;
    }
    const profileWorks = async (browser: Browser) => {
      const res = await browser.get('/profile');
      return res.statusCode === 200 && !isSignInPage(res) && res.body.includes('alice@example.com');
    };

    it('session idle timeout: a session idle for TTL − 1 s still works; idle for TTL or TTL + 1 s it is over', async () => {
      const idle = t.config.ttl.sessionIdle;
      for (const edge of EDGES) {
        const clock = freeze(t);
        const browser = await signedIn();
        clock.at(idle + edge.offset);
        assert.equal(await profileWorks(browser), edge.works, edge.name);
      }
    });

    it('session absolute timeout: a session active every few hours works at TTL − 1 s and is over at TTL and TTL + 1 s', async () => {
      const { sessionIdle: idle, sessionAbsolute: absolute } = t.config.ttl;
      for (const edge of EDGES) {
        const clock = freeze(t);
        const browser = await signedIn();
        const step = Math.floor(idle / 2);
        for (let at = step; at < absolute - 1; at += step) {
          clock.at(at);
          assert.equal(await profileWorks(browser), true, `kept alive at +${at}s`);
        }
        clock.at(absolute + edge.offset);
        assert.equal(await profileWorks(browser), edge.works, edge.name);
      }
    });

    it('pending authorization (interaction): sign-in leads to the approval page at TTL − 1 s, and not at TTL or TTL + 1 s', async () => {
      const ttl = t.config.ttl.interaction;
      for (const edge of EDGES) {
        const clock = freeze(t);
        const browser = new Browser(t);
        const { params } = codeRequest(c1.clientId, REDIRECT, { prompt: 'consent' });
        const page = await browser.follow(await browser.get(authorizeUrl(params)));
        assert.ok(isSignInPage(page), 'the request starts at the sign-in page');
        clock.at(ttl + edge.offset);
        const after = await browser.follow(await browser.signInOn(page, 'alice@example.com'));
        const location = redirectLocation(after);
        assert.equal(isApprovalPage(after), edge.works, `${edge.name}: ${after.statusCode} ${location ?? ''}`);
        if (!edge.works) assert.ok(location === undefined || !new URL(location, t.issuer).searchParams.has('code'), `${edge.name}: no code`);
      }
    });

    for (const lifetime of ['7d', '30d'] as const) {
      it(`grant lifetime ${lifetime} chosen on the approval page: grants.expires_at = approval + ${lifetime}; tokens refresh at expiry − 1 s, not at expiry or + 1 s`, async () => {
        const seconds = (lifetime === '7d' ? 7 : 30) * DAY;
        for (const edge of EDGES) {
          const clock = freeze(t);
          const client = await createClient(t.deps, { redirectUris: [REDIRECT] });
          const granted = await approveWithLifetime(client, lifetime);
          const grant = await t.deps.stores.grants.findById(granted.grantId);
          assert.equal(grant?.expiresAt, clock.t0 + seconds, 'grants.expires_at');
          clock.at(seconds + edge.offset);
          const r = await refresh(t, client, granted.refreshToken);
          if (edge.works) assert.equal(r.statusCode, 200, `${edge.name}: ${r.body}`);
          else assert.equal(r.json().error, 'invalid_grant', `${edge.name}: ${r.body}`);
        }
      });
    }

    /** Runs the approval page with the lifetime radio set, and redeems the code. */
    async function approveWithLifetime(client: TestClient, lifetime: string): Promise<{ grantId: string; refreshToken: string }> {
      const browser = new Browser(t);
      const { params, verifier } = codeRequest(client.clientId, REDIRECT, { scope: 'openid offline_access', prompt: 'consent' });
      let res = await browser.follow(await browser.get(authorizeUrl(params)));
      if (isSignInPage(res)) res = await browser.follow(await browser.signInOn(res, 'alice@example.com'));
      assert.ok(isApprovalPage(res), `approval page: ${res.statusCode}`);
      assert.match(res.body, new RegExp(`name="lifetime"[^>]*value="${lifetime}"|value="${lifetime}"[^>]*name="lifetime"`), 'the page offers the lifetime');
      const back = await browser.follow(await browser.submit(res, /^\/interaction\/[^/]+\/decision$/, { decision: 'approve', lifetime }));
      const location = redirectLocation(back)!;
      const code = new URL(location).searchParams.get('code')!;
      const token = await exchangeCode(t, client, { code, verifier }, { redirect_uri: REDIRECT });
      assert.equal(token.statusCode, 200, token.body);
      const grant = await t.deps.stores.grants.findLive(alice.id, client.clientId, t.clock.now());
      return { grantId: grant!.id, refreshToken: token.json().refresh_token };
    }
  });
}
