/**
 * SECURITY R2: crash consistency under `kill -9`. A real Tessera process (src/main.ts) serves a
 * mixed load (code exchange, refresh, revoke, introspection) and is SIGKILLed at random moments,
 * then started again on the same database. After every restart:
 * - every token answered 200 is known: access tokens still introspect active, the latest refresh
 *   token of each family is stored, live and unrotated (RFC 6749 §6);
 * - every revoke answered 200 is still in force (RFC 7009 §2.2);
 * - no code has two token families, and nothing is half-written (a refresh token without its
 *   grant, a redeemed offline_access code without its family, a family for an unredeemed code).
 * Requests cut off by the kill are unanswered: what they did is allowed either way, so the
 * families they touched are left out of the checks.
 *
 * The short run (5 kills per dialect) is part of `npm test`; RELIABILITY_LONG=1 runs 50.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { sql } from 'kysely';
import { dialects, POSTGRES_URL } from '../support/app.ts';
import { loadConfig } from '../../src/config/config.ts';
import { type Deps } from '../../src/deps.ts';
import { createDeps } from '../../src/create_deps.ts';
import { createLogger } from '../../src/ops/logger.ts';
import { digest } from '../../src/crypto/digest.ts';
import { randomToken } from '../../src/crypto/random.ts';
import type { User } from '../../src/domain/users.ts';
import { createClient, createUser, type TestClient } from '../support/fixtures.ts';
import { issueTestCode } from '../support/codes.ts';
import { startServerProcess, type ServerProcess } from '../support/processes.ts';
import { exchange, HANG_MS, introspectAt, refreshAt, revokeAt, sleep, type Answer, type TokenSet } from './http.ts';

const LONG = process.env.RELIABILITY_LONG === '1';
const KILLS = LONG ? 50 : 5;
const WORKERS = 4;
const USERS_PER_WORKER = 2;
const REDIRECT = 'https://app.example/cb';
const ISSUER = 'https://tessera.crash.internal';

interface Family {
  familyId: string;
  grantId: string;
  refreshToken: string;
  accessTokens: { token: string; revoked: boolean }[];
  /** The grant was revoked with a 200 (a refresh token's revoke takes the grant, RFC 7009 §2.1). */
  revoked: boolean;
}

interface Figures {
  requests: number;
  answered2xx: number;
  cutOff: number;
  checks: number;
}

for (const dialect of dialects()) {
  describe(`SECURITY R2: SIGKILL under load, ${KILLS} times (${dialect})`, () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tessera-crash-'));
    const database = 'tessera_crash_' + randomBytes(4).toString('hex');
    let env: Record<string, string>;
    let seed: Deps;
    let server: ServerProcess | undefined;
    let client: TestClient;
    const users: User[] = [];

    async function admin(text: string) {
      const c = new pg.Client({ connectionString: POSTGRES_URL });
      await c.connect();
      await c.query(text);
      await c.end();
    }

    before(async () => {
      const databaseUrl = dialect === 'sqlite' ? 'sqlite:' + join(dataDir, 'tessera.db') : POSTGRES_URL.replace(/\/[^/]*$/, `/${database}`);
      if (dialect === 'postgres') await admin(`CREATE DATABASE ${database}`);
      env = {
        DATABASE_URL: databaseUrl,
        DATA_DIR: dataDir,
        KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64url'),
        // One issuer across restarts (each restart listens on a new port), as behind a load balancer.
        PUBLIC_URL: ISSUER,
        SYNC_INTERVAL_MS: '500',
        DYNAMIC_REGISTRATION: 'on',
        // The checks present revoked tokens on purpose; they must not trip the invalid_grant throttle.
        THROTTLE_INVALID_GRANT: '1000000/60',
        THROTTLE_INVALID_GRANT_PER_IP: '1000000/60',
      };
      server = await startServerProcess(env);
      seed = await createDeps(loadConfig({ ...env, LOG_LEVEL: 'silent' }), { log: createLogger('silent') });
      client = await createClient(seed, { redirectUris: [REDIRECT] });
      for (let i = 0; i < WORKERS * USERS_PER_WORKER; i++) users.push(await createUser(seed, `crash${i}@example.com`));
    });

    after(async () => {
      await server?.stop('SIGKILL');
      await seed?.close();
      rmSync(dataDir, { recursive: true, force: true });
      if (dialect === 'postgres') await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    });

    it('every 200 is durable, every acknowledged revoke holds, no code has two families, nothing half-written', async () => {
      const families = new Map<string, Family>();
      /** Families (and grants) an unanswered request touched: either outcome is allowed. */
      const uncertainFamilies = new Set<string>();
      const uncertainGrants = new Set<string>();
      const failures: string[] = [];
      /** Clients registered with a 201 at /register (RFC 7591): each must exist and authenticate. */
      const registered: TestClient[] = [];
      const figures: Figures = { requests: 0, answered2xx: 0, cutOff: 0, checks: 0 };
      let up = true;
      /** Workers hold off while the server restarts and the checks run, so the model stays still. */
      let paused = false;
      let busy = 0;

      /** Which user a family's code was issued for (each worker draws from its own users' families). */
      const userOf = new Map<string, string>();
      const certain = (f: Family) => !uncertainFamilies.has(f.familyId) && !uncertainGrants.has(f.grantId);
      const send = async (call: () => Promise<Answer>): Promise<Answer | undefined> => {
        figures.requests++;
        try {
          const answer = await call();
          if (answer.status >= 200 && answer.status < 300) figures.answered2xx++;
          return answer;
        } catch {
          figures.cutOff++;
          return undefined;
        }
      };

      // One worker owns its users, so each grant sees one request at a time and the model is exact.
      async function worker(index: number) {
        const mine = users.slice(index * USERS_PER_WORKER, (index + 1) * USERS_PER_WORKER);
        while (up) {
          if (paused || !server || server.child.exitCode !== null || server.child.signalCode !== null) {
            await sleep(20);
            continue;
          }
          busy++;
          try {
            await step(mine);
          } finally {
            busy--;
          }
        }
      }

      async function step(mine: User[]) {
        const base = server!.url;
        const live = [...families.values()].filter((f) => certain(f) && !f.revoked && mine.some((u) => u.id === userOf.get(f.familyId)));
        const family = live[Math.floor(Math.random() * live.length)];
        const roll = Math.random();
        if (roll < 0.05) {
          const initial = randomToken('initialAccessToken');
          await seed.stores.apps.createRegistrationToken({ digest: digest(initial), kind: 'initial', appId: null, expiresAt: null }, seed.clock.now());
          const answer = await send(() => registerAt(base, initial));
          if (answer?.status === 201) {
            registered.push({ app: client.app, clientId: answer.body.client_id as string, clientSecret: answer.body.client_secret as string });
          } else if (answer && answer.status < 500) failures.push(`registration answered ${answer.status} ${JSON.stringify(answer.body)}`);
        } else if (!family || roll < 0.3) {
          const user = mine[Math.floor(Math.random() * mine.length)]!;
          const issued = await issueTestCode(seed, { client, user, scopes: ['openid', 'offline_access'], redirectUri: REDIRECT });
          userOf.set(issued.familyId, user.id);
          const answer = await send(() => exchange(base, client, issued, REDIRECT));
          if (!answer || answer.status >= 500) uncertainFamilies.add(issued.familyId);
          if (answer?.status === 200) {
            const tokens = answer.body as unknown as TokenSet;
            families.set(issued.familyId, {
              familyId: issued.familyId,
              grantId: issued.grantId,
              refreshToken: tokens.refresh_token,
              accessTokens: [{ token: tokens.access_token, revoked: false }],
              revoked: false,
            });
          } else if (answer && answer.status < 500) failures.push(`code exchange answered ${answer.status} ${JSON.stringify(answer.body)}`);
        } else if (roll < 0.65) {
          const answer = await send(() => refreshAt(base, client, family.refreshToken));
          if (!answer || answer.status >= 500) uncertainFamilies.add(family.familyId);
          else if (answer.status === 200) {
            const tokens = answer.body as unknown as TokenSet;
            family.refreshToken = tokens.refresh_token;
            family.accessTokens.push({ token: tokens.access_token, revoked: false });
          } else failures.push(`refresh of a live family answered ${answer.status} ${JSON.stringify(answer.body)}`);
        } else if (roll < 0.75) {
          const answer = await send(() => revokeAt(base, client, family.refreshToken));
          if (!answer || answer.status >= 500) uncertainGrants.add(family.grantId);
          else if (answer.status === 200) {
            for (const f of families.values()) if (f.grantId === family.grantId) f.revoked = true;
          } else failures.push(`revoke of a refresh token answered ${answer.status}`);
        } else if (roll < 0.85) {
          const at = family.accessTokens[family.accessTokens.length - 1]!;
          const answer = await send(() => revokeAt(base, client, at.token));
          if (!answer || answer.status >= 500) uncertainFamilies.add(family.familyId);
          else if (answer.status === 200) at.revoked = true;
          else failures.push(`revoke of an access token answered ${answer.status}`);
        } else {
          const at = family.accessTokens[Math.floor(Math.random() * family.accessTokens.length)]!;
          const answer = await send(() => introspectAt(base, client, at.token));
          if (answer?.status === 200 && answer.body.active !== !at.revoked) failures.push(`introspection under load said active=${answer.body.active}`);
        }
      }

      /** Every check of the model against the restarted server and the database. */
      async function verify(base: string, full: boolean) {
        const all = [...families.values()].filter(certain);
        const sample = full ? all : all.sort(() => Math.random() - 0.5).slice(0, 60);
        for (const f of sample) {
          const row = await seed.database.db.selectFrom('refresh_tokens').selectAll().where('id', '=', digest(f.refreshToken)).executeTakeFirst();
          figures.checks++;
          if (!row) {
            failures.push(`family ${f.familyId}: a refresh token answered 200 is not stored`);
            continue;
          }
          if (f.revoked) {
            const answer = await refreshAt(base, client, f.refreshToken);
            figures.checks++;
            if (answer.status !== 400) failures.push(`family ${f.familyId}: a refresh token of a revoked grant answered ${answer.status}`);
          } else if (row.rotated_at !== null || row.revoked_at !== null) {
            failures.push(`family ${f.familyId}: the latest refresh token answered 200 is rotated=${row.rotated_at} revoked=${row.revoked_at}`);
          }
          for (const at of f.accessTokens.slice(-3)) {
            const answer = await introspectAt(base, client, at.token);
            figures.checks++;
            const expected = !at.revoked && !f.revoked;
            if (answer.status !== 200 || answer.body.active !== expected) {
              failures.push(`family ${f.familyId}: an access token answered 200 introspects ${answer.status} active=${answer.body.active}, expected ${expected}`);
            }
          }
        }
        for (const r of full ? registered : registered.slice(-10)) {
          // Introspecting garbage answers 200 only to an authenticated confidential client.
          const answer = await introspectAt(base, r, 'not-a-token');
          figures.checks++;
          if (answer.status !== 200) failures.push(`a client registered with 201 does not authenticate: ${answer.status}`);
        }
        const db = seed.database.db;
        // No confidential client without a secret hash (a half-written registration).
        const secretless = await db
          .selectFrom('apps')
          .leftJoin('app_secrets', 'app_secrets.app_id', 'apps.id')
          .select('apps.id')
          .where('apps.client_type', '=', 'confidential')
          .where('app_secrets.id', 'is', null)
          .execute();
        figures.checks++;
        if (secretless.length) failures.push(`${secretless.length} confidential clients without a secret`);
        // No code has two token families: each family has one first token (parent_id null).
        const twoRoots = await db
          .selectFrom('refresh_tokens')
          .select(['family_id', sql<number>`count(*)`.as('n')])
          .where('parent_id', 'is', null)
          .groupBy('family_id')
          .having(sql`count(*)`, '>', 1)
          .execute();
        // Nothing half-written: a refresh token without its grant; a redeemed offline_access code
        // without its family; a family whose code is not redeemed.
        const orphans = await db
          .selectFrom('refresh_tokens')
          .leftJoin('grants', 'grants.id', 'refresh_tokens.grant_id')
          .select('refresh_tokens.id')
          .where('grants.id', 'is', null)
          .execute();
        // A grant's revocation marks its unredeemed codes used in the same transaction (grants.revoke):
        // those codes rightly have no family, and carry the grant's revocation time.
        const codes = await db
          .selectFrom('authorization_codes as c')
          .leftJoin('grants as g', 'g.id', 'c.grant_id')
          .select(['c.family_id', 'c.consumed_at', 'c.scopes', 'g.revoked_at as grant_revoked_at'])
          .where('c.app_id', '=', client.clientId)
          .execute();
        const roots = new Set((await db.selectFrom('refresh_tokens').select('family_id').where('parent_id', 'is', null).execute()).map((r) => r.family_id));
        figures.checks += 2 + codes.length;
        if (twoRoots.length) failures.push(`${twoRoots.length} codes have two token families`);
        if (orphans.length) failures.push(`${orphans.length} refresh tokens without their grant`);
        for (const code of codes) {
          const offline = code.scopes.includes('offline_access');
          if (code.consumed_at !== null && offline && code.consumed_at !== code.grant_revoked_at && !roots.has(code.family_id)) {
            const rows = await db.selectFrom('refresh_tokens').selectAll().where('family_id', '=', code.family_id).execute();
            failures.push(`a redeemed code has no token family (${code.family_id}, consumed ${code.consumed_at}, ${JSON.stringify(rows)}, tracked ${families.has(code.family_id)}, uncertain ${uncertainFamilies.has(code.family_id)})`);
          }
          if (code.consumed_at === null && roots.has(code.family_id)) failures.push(`an unredeemed code has a token family (${code.family_id})`);
        }
      }

      const load = Array.from({ length: WORKERS }, (_, i) => worker(i));
      try {
        for (let kill = 1; kill <= KILLS; kill++) {
          await sleep(500 + Math.random() * 1500);
          paused = true;
          await server!.stop('SIGKILL');
          while (busy > 0) await sleep(10);
          server = await startServerProcess(env);
          await verify(server.url, kill === KILLS);
          assert.deepEqual(failures, [], `after kill ${kill}: ${failures.slice(0, 5).join('; ')}\n${server.output()}`);
          paused = false;
        }
      } finally {
        up = false;
        await Promise.all(load);
      }
      const tracked = families.size;
      console.log(
        `crash ${dialect}: ${KILLS} kills, ${figures.requests} requests (${figures.answered2xx} answered 2xx, ${figures.cutOff} cut off by a kill), ` +
          `${registered.length} clients registered, ${tracked} token families (${uncertainFamilies.size + uncertainGrants.size} left unchecked as unanswered), ${figures.checks} checks, 0 failures`,
      );
      assert.ok(figures.cutOff > 0, 'no request was ever cut off: the kills did not land under load');
      assert.ok(tracked > KILLS, 'too little load to mean anything');
      assert.deepEqual(failures, []);
    });
  });
}

/** POST /register (RFC 7591) with an initial access token. */
async function registerAt(base: string, initialToken: string): Promise<Answer> {
  const started = Date.now();
  const res = await fetch(base + '/register', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${initialToken}` },
    body: JSON.stringify({
      client_name: 'Crash Bot',
      redirect_uris: ['https://bot.example/cb'],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      scope: 'openid offline_access',
    }),
    signal: AbortSignal.timeout(HANG_MS),
  });
  const body = (await res.json()) as Record<string, unknown>;
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body, ms: Date.now() - started };
}
