/**
 * Issue 14, checked by property: on PostgreSQL a refresh (RFC 6749 §6) and a code exchange
 * (§4.1.3) are one statement that rotates or redeems only when every check of the grant holds in
 * SQL (persistence/stores/checked_exchanges.ts); SQLite keeps the read and the separate write. The
 * danger is a SQL condition looser than the JavaScript checks: the token or code would be spent and
 * the request then refused.
 *
 * fast-check generates token, code, grant, person and request states; each case is set up alike on
 * every dialect of the run and sent through the real /token endpoint. Two oracles:
 * - invariant, each dialect: an answer other than 200 leaves the presented token or code exactly as
 *   it was (not rotated, not revoked, not redeemed, no new row in its family, its grant not revoked),
 *   unless it was already spent (reuse of a rotated token, a replayed code: RFC 9700 §4.14.2,
 *   RFC 6749 §4.1.2), where the old path changes it too;
 * - differential: SQLite runs the old two-step logic, so the same case must give the same status,
 *   error and state afterwards on PostgreSQL.
 * Then many parallel refreshes (and exchanges) of one token (code): exactly one 200.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { recordStatements } from '../support/pg_statements.ts';
import { dialects, startTestApp, type Dialect, type TestApp } from '../support/app.ts';
import { createClient, type TestClient } from '../support/fixtures.ts';
import { exchangeCode, issueTestCode, postForm, refresh, s256 } from '../support/codes.ts';
import { proof, proofKey, type ProofKey } from '../support/dpop.ts';
import { digest } from '../../src/crypto/digest.ts';
import { hashPassword } from '../../src/crypto/passwords.ts';
import { randomId, randomToken } from '../../src/crypto/random.ts';
import { SUPPORTED_SCOPES } from '../../src/domain/scopes.ts';
import { refreshRow } from '../../src/persistence/stores/tokens.ts';

const REDIRECT = 'http://127.0.0.1/cb';
const REDIRECT2 = 'http://127.0.0.1/cb2';
const OTHER_URI = 'http://127.0.0.1/other';
/** Catalogue scopes and odd ones: unknown names, array-literal characters, `NULL`, a quote. */
const POOL = [...SUPPORTED_SCOPES, 'x:odd', '{a,b}', 'NULL', "it's"];
const RUNS = Number(process.env.TOKEN_PROPERTY_RUNS ?? 150);

type ClientName = 'c1' | 'c2' | 'c3' | 'pub' | 'spa';
type KeyChoice = 'none' | 'key' | 'other';

interface Env {
  dialect: Dialect;
  t: TestApp;
  clients: Record<ClientName, TestClient>;
  keys: { key: ProofKey; other: ProofKey };
  passwordHash: string;
  /** Statements run on the pool's connections (PostgreSQL only). */
  statements?: string[];
}

/** Usually `good`, one time in `1 + weight` one of `bad`: a case then breaks few rules at once. */
function mostly<T>(good: T, bad: readonly T[], weight = 6): fc.Arbitrary<T> {
  return fc.oneof({ weight, arbitrary: fc.constant(good) }, { weight: 1, arbitrary: fc.constantFrom(...bad) });
}
const rarely = (weight = 6) => mostly(false, [true], weight);

/** An end relative to now: usually well ahead, sometimes at the boundary or past. */
const end = mostly(3600, [-3600, -1, 0, 1]);
const userState = fc.record({
  disabled: rarely(),
  password: mostly<'never' | 'before' | 'same' | 'after'>('never', ['before', 'same', 'after'], 3),
});

/** A grant's scopes: those of the token, more, fewer, only what they imply, or unrelated ones. */
const grantScopes = (held: string[]): fc.Arbitrary<string[]> =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constant(held) },
    { weight: 2, arbitrary: fc.subarray(POOL).map((more) => [...new Set([...held, ...more])]) },
    { weight: 2, arbitrary: fc.subarray(held) },
    { weight: 1, arbitrary: fc.constantFrom<string[]>(['full_access'], ['workitems:read'], ['code:read', 'builds:read'], ['offline_access'], []) },
    { weight: 1, arbitrary: fc.subarray(POOL) },
  );
const grantState = (held: string[]) =>
  fc.record({ scopes: grantScopes(held), revoked: rarely(8), expires: fc.oneof({ weight: 2, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: end }) });

/** A request `scope`: absent, some of the token's, some of the pool, or a malformed or empty one. */
const requestScope = (tokenScopes: string[]) =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constant(undefined) },
    { weight: 3, arbitrary: fc.subarray(tokenScopes).map((s) => s.join(' ')) },
    { weight: 1, arbitrary: fc.subarray(POOL, { minLength: 1, maxLength: 3 }).map((s) => s.join(' ')) },
    { weight: 1, arbitrary: fc.subarray(tokenScopes).map((s) => `${s.join('  ')} ${s[0] ?? 'openid'}`) },
    { weight: 1, arbitrary: fc.constantFrom('', ' ', 'openid "x', 'a\\b', 'openid\toffline_access', 'workitems:read', 'full_access') },
  );

/** Scopes a token or code holds: usually catalogue scopes, sometimes odd ones or none. */
const heldScopes: fc.Arbitrary<string[]> = fc.oneof(
  { weight: 6, arbitrary: fc.subarray(SUPPORTED_SCOPES as string[], { minLength: 1, maxLength: 6 }) },
  { weight: 2, arbitrary: fc.subarray(POOL, { minLength: 1, maxLength: 6 }) },
  { weight: 1, arbitrary: fc.constant<string[]>([]) },
);

const refreshCase = heldScopes.chain((tokenScopes) =>
  fc.record({
    tokenClient: fc.constantFrom<ClientName>('c1', 'pub', 'spa'),
    otherClient: rarely(),
    tokenScopes: fc.constant(tokenScopes),
    doubleSpaced: rarely(3),
    created: fc.constantFrom(-7200, -100, -1, 0),
    expires: end,
    familyExpires: mostly(86_400 * 30, [-1, 0, 1, 600]),
    rotated: rarely(),
    revoked: rarely(),
    tokenJkt: mostly<KeyChoice | 'empty'>('none', ['key', 'key', 'other', 'empty'], 3),
    /** 'match': the token's key when it has one, else `unboundProof`. */
    proof: mostly<KeyChoice | 'match'>('match', ['none', 'key', 'other']),
    unboundProof: fc.constantFrom<KeyChoice>('none', 'key'),
    grant: grantState(tokenScopes),
    user: userState,
    scope: requestScope(tokenScopes),
  }),
);
type RefreshCase = typeof refreshCase extends fc.Arbitrary<infer A> ? A : never;

const codeCase = heldScopes.chain((codeScopes) =>
  fc.record({
    codeClient: fc.constantFrom<ClientName>('c1', 'c3', 'pub', 'spa'),
    otherClient: rarely(),
    codeScopes: fc.constant(codeScopes),
    forceOffline: fc.boolean(),
    storedRedirect: fc.constantFrom('', '', REDIRECT, REDIRECT2),
    /** 'match': the stored one, or none when none was stored. */
    requestRedirect: mostly<string | undefined>('match', [undefined, REDIRECT, REDIRECT2, OTHER_URI, ''], 4),
    verifier: mostly('right', ['wrong', 'missing', 'malformed', 'challenge']),
    expires: mostly(60, [-3600, -1, 0, 1]),
    consumed: rarely(),
    codeJkt: mostly<KeyChoice>('none', ['key', 'other'], 3),
    proof: mostly<KeyChoice | 'match'>('match', ['none', 'key', 'other']),
    unboundProof: fc.constantFrom<KeyChoice>('none', 'key'),
    grant: grantState(codeScopes),
    user: userState,
  }),
);
type CodeCase = typeof codeCase extends fc.Arbitrary<infer A> ? A : never;

/** What a case left behind, with times relative to the request's `now` and keys named, so dialects compare. */
interface Outcome {
  status: number;
  error: string | undefined;
  scope: string | undefined;
  tokenType: string | undefined;
  refreshIssued: boolean;
  state: Record<string, unknown>;
}

/** Freezes the app's clock for one case, so boundaries at `now` hold whatever the load. */
function freeze(t: TestApp): number {
  const ms = Date.now();
  t.clock.nowMs = () => ms;
  return Math.floor(ms / 1000);
}

async function start(dialect: Dialect, grace: number): Promise<Env> {
  const t = await startTestApp({
    dialect,
    listen: true,
    env: { THROTTLE_INVALID_GRANT: '1000000/60', THROTTLE_INVALID_GRANT_PER_IP: '1000000/60', REFRESH_TOKEN_REUSE_GRACE: String(grace) },
  });
  const scopes = [...SUPPORTED_SCOPES];
  const clients = {
    c1: await createClient(t.deps, { redirectUris: [REDIRECT], scopes }),
    c2: await createClient(t.deps, { redirectUris: [REDIRECT], scopes }),
    c3: await createClient(t.deps, { redirectUris: [REDIRECT, REDIRECT2], scopes }),
    pub: await createClient(t.deps, { public: true, redirectUris: [REDIRECT], scopes }),
    spa: await createClient(t.deps, { spa: true, redirectUris: [REDIRECT], scopes }),
  };
  const statements = t.deps.database.pool ? recordStatements(t.deps.database.pool) : undefined;
  return { dialect, t, clients, keys: { key: await proofKey(), other: await proofKey() }, passwordHash: await hashPassword('a password for these cases'), ...(statements ? { statements } : {}) };
}

/** A new person and their grant, both in the state the case asks for. */
async function holder(env: Env, appId: string, c: Pick<RefreshCase, 'grant' | 'user'>, now: number, tokenCreated: number) {
  const { t } = env;
  const user = (await t.deps.stores.users.create({ email: `p-${randomId()}@example.com`, name: 'P', passwordHash: env.passwordHash }, now - 7200))!;
  const grant = await t.deps.stores.grants.approve(user.id, appId, ['openid'], now - 7200);
  const db = t.deps.database.db;
  await db
    .updateTable('grants')
    .set({ scopes: c.grant.scopes.join(' '), revoked_at: c.grant.revoked ? now - 10 : null, expires_at: c.grant.expires === null ? null : now + c.grant.expires })
    .where('id', '=', grant.id)
    .execute();
  const changed = { never: null, before: tokenCreated - 1, same: tokenCreated, after: tokenCreated + 1 }[c.user.password as 'never' | 'before' | 'same' | 'after'];
  await db.updateTable('users').set({ disabled_at: c.user.disabled ? now - 5 : null, password_changed_at: changed }).where('id', '=', user.id).execute();
  return { userId: user.id, grantId: grant.id };
}

function jktOf(env: Env, choice: KeyChoice | 'empty'): string | null {
  return choice === 'none' ? null : choice === 'empty' ? '' : env.keys[choice].jkt;
}

function resolveProof(choice: KeyChoice | 'match', bound: KeyChoice | 'empty', unbound: KeyChoice): KeyChoice {
  if (choice !== 'match') return choice;
  return bound === 'none' || bound === 'empty' ? unbound : bound;
}

function keyName(env: Env, jkt: string | null): string {
  return jkt === null ? 'none' : jkt === env.keys.key.jkt ? 'key' : jkt === env.keys.other.jkt ? 'other' : `?${jkt}`;
}

async function send(env: Env, client: TestClient, form: Record<string, string>, proofChoice: KeyChoice, oneStatement = true) {
  const headers: Record<string, string> = proofChoice === 'none' ? {} : { dpop: await proof(env.keys[proofChoice], { htm: 'POST', htu: `${env.t.issuer}/token` }) };
  const from = env.statements?.length ?? 0;
  const res = await postForm(env.t, '/token', client, form, headers);
  // On PostgreSQL a success is one statement on the token tables: the SQL is not stricter than the handler.
  if (env.statements && oneStatement && res.statusCode === 200) {
    const touching = env.statements.slice(from).filter((q) => /refresh_tokens|authorization_codes/.test(q));
    assert.equal(touching.length, 1, `a 200 took ${touching.length} token statements on PostgreSQL:\n${touching.join('\n---\n')}`);
  }
  return res;
}

function answered(res: { statusCode: number; body: string }): Omit<Outcome, 'state'> {
  const body = JSON.parse(res.body) as Record<string, unknown>;
  return {
    status: res.statusCode,
    error: body.error as string | undefined,
    scope: body.scope as string | undefined,
    tokenType: body.token_type as string | undefined,
    refreshIssued: typeof body.refresh_token === 'string',
  };
}

/** Sets up one refresh case on `env`, sends it, and reads what it left. */
async function runRefresh(env: Env, c: RefreshCase): Promise<Outcome & { spentBefore: boolean }> {
  const { t, clients } = env;
  const db = t.deps.database.db;
  const now = freeze(t);
  const tokenClient = clients[c.tokenClient];
  const created = now + c.created;
  const { userId, grantId } = await holder(env, tokenClient.clientId, c, now, created);
  const familyId = randomId();
  const value = randomToken('refreshToken');
  const scopes = c.doubleSpaced && c.tokenScopes.length > 0 ? ` ${c.tokenScopes.join('  ')}` : c.tokenScopes.join(' ');
  const row = {
    ...refreshRow({
      id: digest(value), familyId, grantId, appId: tokenClient.clientId, userId, scopes: [], authTime: now - 7200, amr: ['pwd'], parentId: null,
      createdAt: created, expiresAt: now + c.expires, familyExpiresAt: now + c.familyExpires, rotatedAt: c.rotated ? now - 20 : null,
      revokedAt: c.revoked ? now - 10 : null, dpopJkt: jktOf(env, c.tokenJkt), sid: 'sid-1',
    }),
    scopes,
  };
  await db.insertInto('refresh_tokens').values(row).execute();
  if (c.rotated) {
    // The live successor a rotation left: a rotated token presented again is reuse.
    await db.insertInto('refresh_tokens').values({ ...row, id: digest(randomToken('refreshToken')), parent_id: row.id, created_at: now - 20, rotated_at: null, revoked_at: null }).execute();
  }
  const requestClient = c.otherClient ? clients.c2 : tokenClient;
  const form: Record<string, string> = { grant_type: 'refresh_token', refresh_token: value, ...(c.scope === undefined ? {} : { scope: c.scope }) };
  const res = await send(env, requestClient, form, resolveProof(c.proof, c.tokenJkt, c.unboundProof), !c.rotated);
  const after = await db.selectFrom('refresh_tokens').selectAll().where('family_id', '=', familyId).orderBy('created_at').orderBy('id').execute();
  const presented = after.find((r) => r.id === row.id)!;
  const added = after.filter((r) => r.id !== row.id && !(c.rotated && r.parent_id === row.id && r.created_at === now - 20));
  const grant = await db.selectFrom('grants').select(['revoked_at', 'scopes']).where('id', '=', grantId).executeTakeFirstOrThrow();
  const rel = (v: number | null) => (v === null ? null : v - now);
  return {
    ...answered(res),
    spentBefore: c.rotated,
    state: {
      presented: { rotatedAt: rel(presented.rotated_at), revokedAt: rel(presented.revoked_at), scopes: presented.scopes },
      familyRows: after.length,
      familyRevoked: after.filter((r) => r.revoked_at !== null).length,
      grantRevoked: grant.revoked_at !== null,
      added: added.map((r) => ({
        parentIsPresented: r.parent_id === row.id,
        scopes: r.scopes.split(' ').filter(Boolean),
        amr: r.amr,
        createdAt: rel(r.created_at),
        expiresAt: rel(r.expires_at),
        familyExpiresAt: rel(r.family_expires_at),
        rotatedAt: rel(r.rotated_at),
        revokedAt: rel(r.revoked_at),
        dpop: keyName(env, r.dpop_jkt),
        sid: r.sid,
        sameHolder: r.grant_id === grantId && r.user_id === userId && r.app_id === tokenClient.clientId && r.auth_time === now - 7200,
      })),
    },
  };
}

/** Sets up one code case on `env`, sends it, and reads what it left. */
async function runCode(env: Env, c: CodeCase): Promise<Outcome & { spentBefore: boolean }> {
  const { t, clients } = env;
  const db = t.deps.database.db;
  const now = freeze(t);
  const codeClient = clients[c.codeClient];
  const { userId, grantId } = await holder(env, codeClient.clientId, c, now, now - 30);
  const familyId = randomId();
  const code = randomToken('authorizationCode');
  const verifier = randomBytes(32).toString('base64url');
  const scopes = c.forceOffline && !c.codeScopes.includes('offline_access') ? [...c.codeScopes, 'offline_access'] : c.codeScopes;
  await t.deps.stores.tokens.createCode({
    id: digest(code), appId: codeClient.clientId, userId, grantId, familyId, redirectUri: c.storedRedirect, scopes, codeChallenge: s256(verifier),
    nonce: 'n', authTime: now - 60, amr: ['pwd'], createdAt: now - 30, expiresAt: now + c.expires, consumedAt: null, dpopJkt: jktOf(env, c.codeJkt),
  });
  if (c.consumed) {
    // A first redemption happened: the code is spent and its family has a token.
    await db.updateTable('authorization_codes').set({ consumed_at: now - 20 }).where('id', '=', digest(code)).execute();
    await db
      .insertInto('refresh_tokens')
      .values(refreshRow({
        id: digest(randomToken('refreshToken')), familyId, grantId, appId: codeClient.clientId, userId, scopes, authTime: now - 60, amr: ['pwd'], parentId: null,
        createdAt: now - 20, expiresAt: now + 600, familyExpiresAt: now + 6000, rotatedAt: null, revokedAt: null, dpopJkt: null, sid: null,
      }))
      .execute();
  }
  const requestClient = c.otherClient ? clients.c2 : codeClient;
  const verifierValue = { right: verifier, wrong: randomBytes(32).toString('base64url'), missing: undefined, malformed: 'short', challenge: s256(verifier) }[c.verifier];
  const redirectUri = c.requestRedirect === 'match' ? c.storedRedirect || undefined : c.requestRedirect;
  const form: Record<string, string> = {
    grant_type: 'authorization_code',
    code,
    ...(verifierValue === undefined ? {} : { code_verifier: verifierValue }),
    ...(redirectUri === undefined ? {} : { redirect_uri: redirectUri }),
  };
  const res = await send(env, requestClient, form, resolveProof(c.proof, c.codeJkt, c.unboundProof));
  const stored = (await db.selectFrom('authorization_codes').select(['consumed_at']).where('id', '=', digest(code)).executeTakeFirst())!;
  const family = await db.selectFrom('refresh_tokens').selectAll().where('family_id', '=', familyId).orderBy('created_at').execute();
  const grant = await db.selectFrom('grants').select(['revoked_at']).where('id', '=', grantId).executeTakeFirstOrThrow();
  const rel = (v: number | null) => (v === null ? null : v - now);
  return {
    ...answered(res),
    spentBefore: c.consumed,
    state: {
      consumedAt: rel(stored.consumed_at),
      familyRows: family.length,
      familyRevoked: family.filter((r) => r.revoked_at !== null).length,
      grantRevoked: grant.revoked_at !== null,
      family: family.map((r) => ({
        scopes: r.scopes,
        createdAt: rel(r.created_at),
        expiresAt: rel(r.expires_at),
        familyExpiresAt: rel(r.family_expires_at),
        parent: r.parent_id,
        dpop: keyName(env, r.dpop_jkt),
        sid: r.sid,
        amr: r.amr,
        sameHolder: r.grant_id === grantId && r.user_id === userId && r.app_id === codeClient.clientId,
      })),
    },
  };
}

function label(env: Env, o: Outcome): string {
  return `${env.dialect}: ${o.status} ${o.error ?? ''} ${JSON.stringify(o.state)}`;
}

describe('token exchanges in one statement, by property', () => {
  const envs: Env[] = [];
  /** The same dialects with a reuse grace (RFC 9700 §4.14.2): a rotated token's direct retry is answered. */
  const graceEnvs: Env[] = [];
  before(async () => {
    for (const dialect of dialects()) envs.push(await start(dialect, 0));
    for (const dialect of dialects()) graceEnvs.push(await start(dialect, 30));
  });
  after(async () => {
    for (const env of [...envs, ...graceEnvs]) await env.t.close();
  });

  it('a refused refresh leaves the token as it was, and every dialect answers and leaves the same', async () => {
    await fc.assert(
      fc.asyncProperty(refreshCase, fc.boolean(), async (c, grace) => {
        const outcomes = [];
        for (const env of grace ? graceEnvs : envs) {
          const o = await runRefresh(env, c);
          outcomes.push(o);
          const s = o.state as { presented: { rotatedAt: number | null; revokedAt: number | null }; familyRows: number; grantRevoked: boolean; added: unknown[] };
          if (o.status !== 200 && !o.spentBefore) {
            assert.deepEqual(
              [s.presented.rotatedAt, s.presented.revokedAt === null, s.added.length, s.grantRevoked],
              [null, !c.revoked, 0, c.grant.revoked],
              `refused yet changed: ${label(env, o)}`,
            );
          }
          if (o.status === 200) assert.equal(s.added.length, 1, label(env, o));
        }
        for (const o of outcomes.slice(1)) {
          assert.deepEqual(o, outcomes[0], `dialects differ on ${JSON.stringify(c)}`);
        }
      }),
      { numRuns: RUNS, endOnFailure: true, includeErrorInReport: true },
    );
  });

  it('a refused code exchange leaves the code unredeemed, and every dialect answers and leaves the same', async () => {
    await fc.assert(
      fc.asyncProperty(codeCase, async (c) => {
        const outcomes = [];
        for (const env of envs) {
          const o = await runCode(env, c);
          outcomes.push(o);
          const s = o.state as { consumedAt: number | null; familyRows: number; grantRevoked: boolean };
          if (o.status !== 200 && !o.spentBefore) {
            assert.deepEqual([s.consumedAt, s.familyRows, s.grantRevoked], [null, 0, c.grant.revoked], `refused yet changed: ${label(env, o)}`);
          }
          if (o.status === 200) assert.equal(s.consumedAt, 0, label(env, o));
        }
        for (const o of outcomes.slice(1)) assert.deepEqual(o, outcomes[0], `dialects differ on ${JSON.stringify(c)}`);
      }),
      { numRuns: RUNS, endOnFailure: true, includeErrorInReport: true },
    );
  });

  /** A new person with a code for `client`, all scopes of the test. */
  async function freshCode(env: Env, client: TestClient) {
    const user = (await env.t.deps.stores.users.create({ email: `q-${randomId()}@example.com`, name: 'Q', passwordHash: env.passwordHash }, env.t.clock.now()))!;
    return issueTestCode(env.t.deps, { client, user, scopes: ['openid', 'workitems:write', 'offline_access'] });
  }

  it('many parallel refreshes of one token: one 200, the others invalid_grant, the family revoked as the old path does', async () => {
    const PARALLEL = 8;
    const seen: string[] = [];
    for (const env of envs) {
      const { t, clients } = env;
      const db = t.deps.database.db;
      t.clock.nowMs = () => Date.now();
      for (let round = 0; round < 4; round++) {
        const issued = await freshCode(env, clients.c1);
        const first = await exchangeCode(t, clients.c1, issued);
        assert.equal(first.statusCode, 200, first.body);
        const rt = first.json().refresh_token as string;
        const results = await Promise.all(Array.from({ length: PARALLEL }, () => refresh(t, clients.c1, rt)));
        const statuses = results.map((r) => `${r.statusCode} ${r.statusCode === 200 ? '' : r.json().error}`).sort();
        assert.deepEqual(statuses, ['200 ', ...Array<string>(PARALLEL - 1).fill('400 invalid_grant')], results.map((r) => r.body).join('\n'));
        const family = await db.selectFrom('refresh_tokens').select(['id', 'parent_id', 'rotated_at', 'revoked_at']).where('family_id', '=', issued.familyId).execute();
        // One successor; a loser is reuse (RFC 9700 §4.14.2), so the grant and the whole family are revoked.
        assert.equal(family.filter((r) => r.parent_id === digest(rt)).length, 1, JSON.stringify(family));
        assert.equal(family.length, 2);
        assert.ok(family.every((r) => r.revoked_at !== null), JSON.stringify(family));
        const grant = await db.selectFrom('grants').select('revoked_at').where('id', '=', issued.grantId).executeTakeFirstOrThrow();
        assert.notEqual(grant.revoked_at, null);
        seen.push(`${env.dialect}:${statuses.join(',')}`);
      }
    }
    assert.equal(seen.length, envs.length * 4);
  });

  it('many parallel exchanges of one code: one 200, the others invalid_grant, what it issued revoked', async () => {
    const PARALLEL = 8;
    for (const env of envs) {
      const { t, clients } = env;
      const db = t.deps.database.db;
      t.clock.nowMs = () => Date.now();
      for (let round = 0; round < 4; round++) {
        const issued = await freshCode(env, clients.c1);
        const results = await Promise.all(Array.from({ length: PARALLEL }, () => exchangeCode(t, clients.c1, issued)));
        const statuses = results.map((r) => `${r.statusCode} ${r.statusCode === 200 ? '' : r.json().error}`).sort();
        assert.deepEqual(statuses, ['200 ', ...Array<string>(PARALLEL - 1).fill('400 invalid_grant')], results.map((r) => r.body).join('\n'));
        const family = await db.selectFrom('refresh_tokens').select(['id', 'revoked_at']).where('family_id', '=', issued.familyId).execute();
        // RFC 6749 §4.1.2: a replayed code revokes the tokens it gave; exactly one first refresh token was stored.
        assert.equal(family.length, 1);
        assert.notEqual(family[0]!.revoked_at, null);
        const winner = results.find((r) => r.statusCode === 200)!;
        assert.equal(digest(winner.json().refresh_token as string), family[0]!.id);
      }
    }
  });
});
