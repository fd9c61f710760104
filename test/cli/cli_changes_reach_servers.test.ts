/**
 * Across processes: a change made with the CLI reaches a running server process on the same
 * database within one second of the CLI's exit: on SQLite through the `changes` table every
 * process polls (persistence/change_feed.ts, SqliteChangeFeed), on PostgreSQL through NOTIFY
 * (src/cli/context.ts announces app, secret and revocation writes too). The server runs with SYNC_INTERVAL_MS=60000, so
 * its revocation and key polls cannot be what applies a change, and its caches (memberships and
 * policies 10 s, clients 30 s) would hold a stale answer far past the one-second deadline.
 *
 * One server process, the CLI commands in sequence; each check polls the server over HTTP until it
 * answers as the change requires, and fails after 1000 ms. Latencies are printed as diagnostics.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { decodeProtectedHeader } from 'jose';
import { dialects } from '../support/app.ts';
import { loadConfig } from '../../src/config/config.ts';
import { type Deps } from '../../src/deps.ts';
import { createDeps } from '../../src/create_deps.ts';
import { createLogger } from '../../src/ops/logger.ts';
import { createClient, createUser, PASSWORD, type TestClient } from '../support/fixtures.ts';
import { basic, issueTestCode } from '../support/codes.ts';
import { findForm } from '../support/browser.ts';
import { startServerProcess, type ServerProcess } from '../support/processes.ts';
import type { User } from '../../src/domain/users.ts';
import { CliTarget } from './cli.ts';

const REDIRECT = 'https://app.example/cb';
const DEADLINE_MS = 1000;
// On SQLite through the `changes` table, on PostgreSQL through NOTIFY (src/cli/context.ts).
for (const dialect of dialects()) describe(`CLI changes reach a running server process within a second (${dialect})`, () => {
  let cli: CliTarget;
  let server: ServerProcess;
  let seed: Deps;
  let client: TestClient;
  let alice: User;
  let bob: User;
  let carol: User;
  const latencies: Record<string, number> = {};

  before(async () => {
    cli = await CliTarget.create(dialect);
    await cli.json(['db', 'migrate']);
    server = await startServerProcess(cli.env({ SYNC_INTERVAL_MS: '60000' }));
    // Seeding through Tessera's own stores on the same file (people and codes have no CLI or API).
    seed = await createDeps(loadConfig({ ...cli.env(), PUBLIC_URL: server.url, LOG_LEVEL: 'silent' }), { log: createLogger('silent') });
    client = await createClient(seed, { redirectUris: [REDIRECT] });
    // Verified addresses, as for accounts an operator makes: the CLI adds only those to an organization.
    alice = await createUser(seed, 'alice@example.com', 'alice', { verified: true });
    bob = await createUser(seed, 'bob@example.com', 'bob', { verified: true });
    carol = await createUser(seed, 'carol@example.com', 'carol', { verified: true });
    await cli.json(['org', 'create', '--slug', 'acme', '--name', 'Acme', '--owner', 'alice@example.com']);
  });

  after(async () => {
    await server?.stop();
    await seed?.close();
    await cli?.close();
  });

  function tokenRequest(fields: Record<string, string>, secret = client.clientSecret!) {
    return fetch(`${server.url}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(client.clientId, secret) },
      body: new URLSearchParams(fields).toString(),
    });
  }

  /** Tokens from the server's own /token for a code stored as the consent page stores it. */
  async function tokensFor(user: User, scopes: string[]): Promise<{ access_token: string; refresh_token: string }> {
    const issued = await issueTestCode(seed, { client, user, scopes, redirectUri: REDIRECT });
    const res = await tokenRequest({ grant_type: 'authorization_code', code: issued.code, code_verifier: issued.verifier, redirect_uri: REDIRECT });
    assert.equal(res.status, 200, await res.clone().text());
    return (await res.json()) as { access_token: string; refresh_token: string };
  }

  async function projects(token: string): Promise<number> {
    const res = await fetch(`${server.url}/api/v1/orgs/acme/projects`, { headers: { authorization: `Bearer ${token}` } });
    await res.arrayBuffer();
    return res.status;
  }

  /** Polls `check` from the CLI's exit until it holds; fails at the deadline. Returns and records the latency. */
  async function reflects(label: string, check: () => Promise<boolean>): Promise<number> {
    const exited = Date.now();
    for (;;) {
      const ok = await check();
      const elapsed = Date.now() - exited;
      if (ok) {
        latencies[label] = elapsed;
        return elapsed;
      }
      assert.ok(elapsed < DEADLINE_MS, `${label}: the server did not reflect the change within ${DEADLINE_MS} ms\n${server.output()}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  it('org add-member and remove-member: the API lets the person in, then refuses the org', async () => {
    const bobTokens = await tokensFor(bob, ['workitems:read']);
    // The server now caches that bob belongs nowhere (an org he is not in is not found).
    assert.equal(await projects(bobTokens.access_token), 404);
    await cli.json(['org', 'add-member', '--org', 'acme', '--email', 'bob@example.com']);
    await reflects('add-member', async () => (await projects(bobTokens.access_token)) === 200);
    await cli.json(['org', 'remove-member', '--org', 'acme', '--email', 'bob@example.com']);
    await reflects('remove-member', async () => (await projects(bobTokens.access_token)) === 403);
  });

  it('org policy approved blocks the service; approve-app lets it back in', async () => {
    const aliceTokens = await tokensFor(alice, ['workitems:read']);
    assert.equal(await projects(aliceTokens.access_token), 200);
    await cli.json(['org', 'policy', '--org', 'acme', '--third-party', 'approved']);
    await reflects('org policy', async () => (await projects(aliceTokens.access_token)) === 403);
    await cli.json(['org', 'approve-app', '--org', 'acme', '--client-id', client.clientId]);
    await reflects('approve-app', async () => (await projects(aliceTokens.access_token)) === 200);
  });

  it('keys rotate: the new kid is published and signs the tokens the server issues, which verify', async () => {
    const aliceTokens = await tokensFor(alice, ['workitems:read', 'offline_access']);
    const { current } = await cli.json<{ current: string }>(['keys', 'rotate']);
    await reflects('keys rotate (JWKS)', async () => {
      const jwks = (await (await fetch(`${server.url}/.well-known/jwks.json`)).json()) as { keys: { kid: string }[] };
      return jwks.keys[0]?.kid === current;
    });
    const refreshed = await tokenRequest({ grant_type: 'refresh_token', refresh_token: aliceTokens.refresh_token });
    assert.equal(refreshed.status, 200);
    const { access_token } = (await refreshed.json()) as { access_token: string };
    assert.equal(decodeProtectedHeader(access_token).kid, current);
    assert.equal(await projects(access_token), 200);
  });

  it('tessera app rotate-secret: the old secret is refused at /token, the new one works', async () => {
    // A bogus refresh token: with a good client secret the answer is invalid_grant (400), with a bad one invalid_client (401).
    const probe = async () => (await tokenRequest({ grant_type: 'refresh_token', refresh_token: 'tsr_unknown' })).status;
    assert.equal(await probe(), 400); // the server now caches the client with its old secret
    const rotated = await cli.json<{ client_secret: string; revoked: number }>(['app', 'rotate-secret', '--client-id', client.clientId]);
    assert.equal(rotated.revoked, 1);
    await reflects('app secret revoked', async () => (await probe()) === 401);
    const withNew = await tokenRequest({ grant_type: 'refresh_token', refresh_token: 'tsr_unknown' }, rotated.client_secret);
    assert.equal(withNew.status, 400, 'the new secret authenticates (and the bogus grant is refused)');
    client = { ...client, clientSecret: rotated.client_secret };
  });

  it('user disable: her session cookie and her access token are refused', async () => {
    await cli.json(['org', 'add-member', '--org', 'acme', '--email', 'carol@example.com']);
    const carolTokens = await tokensFor(carol, ['workitems:read']);
    const cookie = await signIn('carol@example.com');
    const profile = async () => {
      const res = await fetch(`${server.url}/profile`, { headers: { cookie }, redirect: 'manual' });
      await res.arrayBuffer();
      return res.status;
    };
    assert.equal(await profile(), 200);
    await reflects('add-member (carol)', async () => (await projects(carolTokens.access_token)) === 200);

    await cli.json(['user', 'disable', '--user', 'carol@example.com']);
    await reflects('user disable (session)', async () => (await profile()) !== 200);
    await reflects('user disable (access token)', async () => (await projects(carolTokens.access_token)) === 401);
  });

  after(() => {
    for (const [label, ms] of Object.entries(latencies)) process.stdout.write(`# latency ${label}: ${ms} ms\n`);
  });

  /** Signs in over HTTP as a person would; returns the Cookie header to send. */
  async function signIn(email: string): Promise<string> {
    const jar = new Map<string, string>();
    const keep = (res: Response) => {
      for (const line of res.headers.getSetCookie()) {
        const [pair] = line.split(';');
        const at = pair!.indexOf('=');
        jar.set(pair!.slice(0, at), pair!.slice(at + 1));
      }
    };
    const header = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const page = await fetch(`${server.url}/login`, { redirect: 'manual' });
    keep(page);
    const form = findForm(await page.text(), /^\/login$/);
    assert.ok(form, 'the sign-in page has its form');
    const res = await fetch(`${server.url}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: header(), origin: server.url },
      body: new URLSearchParams({ ...form.hidden, email, password: PASSWORD }).toString(),
    });
    keep(res);
    assert.equal(res.status, 303, await res.text());
    return header();
  }
});
