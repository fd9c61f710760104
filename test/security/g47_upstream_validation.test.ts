/**
 * SECURITY 47 (upstream responses fully validated), 48 (accounts by issuer and subject), 49
 * (outbound calls: timeouts, no redirects, limited JWKS refetch) and the upstream half of 5
 * (mix-up): a real node-oidc-provider as the company directory, made to misbehave through a proxy
 * that rewrites its ID token, or answering another browser's or another directory's response.
 * Every defect ends on the fixed error page (400) with no session and no account made.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dialects, freePort, startTestApp, type TestApp } from '../support/app.ts';
import { createUser } from '../support/fixtures.ts';
import { Browser, type Response } from '../support/browser.ts';
import { addDirectory, startCompanyDirectory, type CompanyDirectory, type Tamper } from '../interaction/company_directory.ts';
import { CALLBACK_PATH } from '../../src/interaction/directory/paths.ts';

/** Starts a sign-in for `email` in `browser`; returns the directory's authorization URL. */
async function start(browser: Browser, email: string): Promise<Response> {
  const handOver = await browser.submit(await browser.get('/login'), /^\/login$/, { email });
  const next = /^0; url=(.+)$/.exec(String(handOver.headers.refresh))?.[1];
  assert.ok(next, `a hand-over page for ${email}: ${handOver.statusCode}`);
  return browser.get(next);
}

function assertRefused(res: Response, browser: Browser): void {
  assert.equal(res.statusCode, 400, res.body.slice(0, 300));
  assert.match(res.headers['content-type'] as string, /^text\/html/);
  assert.match(res.body, /could not sign you in/);
  assert.equal(browser.sessionCookie(), undefined, 'no session');
  assert.equal(res.headers.location, undefined);
}

for (const dialect of dialects()) {
  describe(`upstream OIDC validation (${dialect})`, () => {
    let t: TestApp;
    let corp: CompanyDirectory;
    let other: CompanyDirectory;

    async function workAccounts(): Promise<number> {
      const rows = await t.deps.database.db.selectFrom('users').select('id').where('kind', '=', 'work').execute();
      return rows.length;
    }

    /** A whole sign-in at `directory` as `login`; the callback URL it sends back. */
    async function callbackFrom(browser: Browser, directory: CompanyDirectory, email: string, login: string): Promise<string> {
      const res = await start(browser, email);
      assert.equal(res.statusCode, 303, res.body.slice(0, 300));
      return directory.signIn(res.headers.location as string, login);
    }

    before(async () => {
      t = await startTestApp({ dialect });
      corp = await startCompanyDirectory(t.issuer + CALLBACK_PATH);
      other = await startCompanyDirectory(t.issuer + CALLBACK_PATH);
      await addDirectory(t, 'Corp', corp.issuer, ['corp.example']);
      await addDirectory(t, 'Other', other.issuer, ['other.example']);
    });
    after(async () => {
      await corp?.close();
      await other?.close();
      await t?.close();
    });

    const defects: [Tamper, string][] = [
      ['aud', 'an ID token for another audience'],
      ['iss', 'an ID token from another issuer'],
      ['nonce', 'an ID token with another nonce'],
      ['expired', 'an expired ID token'],
      ['no-sub', 'an ID token without sub'],
      ['no-iat', 'an ID token without iat'],
      ['alg-none', 'an unsigned ID token (alg none)'],
      ['foreign-key', 'an ID token signed by a key the JWKS does not publish'],
      ['flipped-signature', 'an ID token whose signature was altered'],
    ];
    for (const [tamper, what] of defects) {
      it(`refuses ${what}`, async () => {
        const before = await workAccounts();
        const browser = new Browser(t);
        const callback = await callbackFrom(browser, corp, 'mo@corp.example', `mo-${tamper}`);
        corp.tamper = tamper;
        try {
          assertRefused(await browser.get(callback), browser);
        } finally {
          corp.tamper = 'none';
        }
        assert.equal(await workAccounts(), before, 'no account made');
      });
    }

    it('accepts a callback once: the replayed callback URL is refused, in the same browser and in another', async () => {
      const browser = new Browser(t);
      const callback = await callbackFrom(browser, corp, 'rae@corp.example', 'rae');
      const first = await browser.get(callback);
      assert.equal(first.statusCode, 303);
      const session = browser.sessionCookie()!.value;
      const replay = await browser.get(callback);
      assert.equal(replay.statusCode, 400);
      assert.equal(browser.sessionCookie()?.value, session, 'the replay made no new session');
      const stranger = new Browser(t);
      assertRefused(await stranger.get(callback), stranger);
    });

    it('refuses a state that is not the transaction’s, and a response meant for another browser', async () => {
      const browser = new Browser(t);
      const callback = new URL(await callbackFrom(browser, corp, 'sol@corp.example', 'sol'));
      callback.searchParams.set('state', 'x'.repeat(43));
      assertRefused(await browser.get(callback.pathname + callback.search), browser);

      // The victim's browser has a sign-in of its own in flight; the attacker's response is not its answer.
      const attacker = new Browser(t);
      const attackerCallback = await callbackFrom(attacker, corp, 'eve@corp.example', 'eve');
      const victim = new Browser(t);
      assert.equal((await start(victim, 'vic@corp.example')).statusCode, 303);
      assertRefused(await victim.get(attackerCallback), victim);
    });

    it('mix-up (SECURITY 5): a sign-in begun at one directory refuses another directory’s response', async () => {
      const browser = new Browser(t);
      assert.equal((await start(browser, 'max@corp.example')).statusCode, 303);
      const elsewhere = new Browser(t);
      const fromOther = await callbackFrom(elsewhere, other, 'max@other.example', 'max');
      assertRefused(await browser.get(fromOther), browser);
      // The same response with the first directory's state is still refused: its code and `iss` are the other's.
      const mine = new Browser(t);
      const started = await start(mine, 'max@corp.example');
      const state = new URL(started.headers.location as string).searchParams.get('state')!;
      const forged = new URL(fromOther);
      forged.searchParams.set('state', state);
      assertRefused(await mine.get(forged.pathname + forged.search), mine);
    });

    it('SECURITY 48: the same subject at another directory is another account', async () => {
      const a = new Browser(t);
      await a.get(await callbackFrom(a, corp, 'kai@corp.example', 'kai'));
      const b = new Browser(t);
      await b.get(await callbackFrom(b, other, 'kai@other.example', 'kai'));
      const corpAccount = await t.deps.stores.directories.findAccount(corp.issuer, 'kai');
      const otherAccount = await t.deps.stores.directories.findAccount(other.issuer, 'kai');
      assert.ok(corpAccount && otherAccount);
      assert.notEqual(corpAccount.id, otherAccount.id);
    });

    it('SECURITY 49: unknown key ids do not make the JWKS be fetched again and again', async () => {
      const warm = new Browser(t);
      await warm.get(await callbackFrom(warm, corp, 'kim@corp.example', 'kim'));
      const fetches = corp.jwksFetches;
      assert.ok(fetches >= 1);
      for (let i = 0; i < 5; i++) {
        const browser = new Browser(t);
        const callback = await callbackFrom(browser, corp, 'kim@corp.example', 'kim');
        corp.tamper = 'unknown-kid';
        try {
          assertRefused(await browser.get(callback), browser);
        } finally {
          corp.tamper = 'none';
        }
      }
      assert.ok(corp.jwksFetches - fetches <= 1, `at most one refetch a minute, saw ${corp.jwksFetches - fetches}`);
    });
  });

  describe(`misconfigured and unreachable directories (${dialect})`, () => {
    let t: TestApp;
    const servers: Server[] = [];
    const directories: CompanyDirectory[] = [];

    async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
      const server = createServer(handler);
      servers.push(server);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    }

    before(async () => {
      t = await startTestApp({ dialect });
      await createUser(t.deps, 'pat@example.com');
    });
    after(async () => {
      for (const server of servers) {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
      for (const directory of directories) await directory.close();
      await t?.close();
    });

    it('SECURITY 5: refuses a directory whose discovery document names another issuer', async () => {
      const port = await freePort();
      const liar = await startCompanyDirectory(t.issuer + CALLBACK_PATH, { claimedIssuer: `http://localhost:${port}` });
      directories.push(liar);
      await addDirectory(t, 'Liar', liar.issuer, ['liar.example']);
      const browser = new Browser(t);
      assertRefused(await start(browser, 'x@liar.example'), browser);
    });

    it('SECURITY 49: follows no redirect from a directory', async () => {
      const real = await startCompanyDirectory(t.issuer + CALLBACK_PATH);
      directories.push(real);
      const redirector = await serve((req, res) => res.writeHead(302, { location: real.issuer + req.url }).end());
      await addDirectory(t, 'Redirector', redirector, ['redirector.example']);
      const browser = new Browser(t);
      assertRefused(await start(browser, 'x@redirector.example'), browser);
    });

    it('SECURITY 49: a directory that never answers gives the error page within 10 s, and password sign-in still works', async () => {
      const hanging = await serve(() => {
        /* never answers */
      });
      await addDirectory(t, 'Hanging', hanging, ['hanging.example']);
      const began = Date.now();
      const browser = new Browser(t);
      assertRefused(await start(browser, 'x@hanging.example'), browser);
      assert.ok(Date.now() - began < 10_000, `answered after ${Date.now() - began} ms`);
      const person = new Browser(t);
      assert.equal((await person.signIn('pat@example.com')).statusCode, 303);
    });
  });
}
