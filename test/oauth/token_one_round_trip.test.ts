/**
 * Issue 14: on PostgreSQL a refresh (RFC 6749 §6) and a code exchange (§4.1.3) are one statement,
 * which writes only when every check of the grant holds (persistence/stores/checked_exchanges.ts).
 * On both dialects: each refusal the statement now makes in SQL answers its own error and leaves the
 * token or code usable; a rotated token presented again revokes the family (RFC 9700 §4.14.2); two
 * concurrent refreshes of one token give exactly one success; the successor and first refresh
 * token rows are what the JavaScript minting gives. On PostgreSQL, the statements are counted.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJwt } from 'jose';
import { recordStatements } from '../support/pg_statements.ts';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createClient, createUser, type TestClient } from '../support/fixtures.ts';
import { exchangeCode, issueTestCode, obtainTokens, postForm, refresh, type ObtainedTokens } from '../support/codes.ts';
import { proof, proofKey, type ProofKey } from '../support/dpop.ts';
import { digest } from '../../src/crypto/digest.ts';
import type { User } from '../../src/domain/users.ts';

const SCOPES = ['openid', 'workitems:read', 'workitems:write', 'offline_access'];
const REDIRECT = 'http://127.0.0.1/cb';

for (const dialect of dialects()) {
  describe(`token writes in one round trip, refusals in SQL (${dialect})`, () => {
    let t: TestApp;
    let alice: User;
    let c1: TestClient;
    let c2: TestClient;
    let spa: TestClient;
    let key: ProofKey;
    let statements: string[] | undefined;

    before(async () => {
      t = await startTestApp({ dialect, listen: true, env: { THROTTLE_INVALID_GRANT: '1000/60' } });
      alice = await createUser(t.deps, `alice-${dialect}@example.com`, 'Alice');
      c1 = await createClient(t.deps, { redirectUris: [REDIRECT] });
      c2 = await createClient(t.deps);
      spa = await createClient(t.deps, { name: 'Board SPA', public: true, redirectUris: [REDIRECT] });
      key = await proofKey();
      if (t.deps.database.pool) statements = recordStatements(t.deps.database.pool);
    });
    after(() => t.close());

    const db = () => t.deps.database.db;
    const start = (scopes = SCOPES, client = c1, user = alice): Promise<ObtainedTokens> => obtainTokens(t, { client, user, scopes, nonce: 'n1' });
    const dpopHeader = async (k: ProofKey = key) => ({ dpop: await proof(k, { htm: 'POST', htu: `${t.issuer}/token` }) });

    async function refused(res: { statusCode: number; json(): { error: string }; body: string }, error: string) {
      assert.equal(res.statusCode, 400, res.body);
      assert.equal(res.json().error, error);
    }

    /** The token is neither rotated nor revoked, and its family gained no row. */
    async function untouched(rt: string, familyId: string, familyRows: number) {
      const row = await t.deps.stores.tokens.findRefresh(digest(rt));
      assert.equal(row?.rotatedAt, null);
      assert.equal(row?.revokedAt, null);
      const rows = await db().selectFrom('refresh_tokens').select('id').where('family_id', '=', familyId).execute();
      assert.equal(rows.length, familyRows);
    }

    async function notConsumed(code: string) {
      assert.equal((await t.deps.stores.tokens.findCode(digest(code)))?.consumedAt, null);
    }

    /** Statements touching the token tables while `run` runs (PostgreSQL only; undefined on SQLite). */
    async function tokenStatements(run: () => Promise<unknown>): Promise<string[] | undefined> {
      if (!statements) {
        await run();
        return undefined;
      }
      const from = statements.length;
      await run();
      return statements.slice(from).filter((s) => /refresh_tokens|authorization_codes/.test(s));
    }

    it('on PostgreSQL a refresh and a code exchange are each one statement', async () => {
      const issued = await issueTestCode(t.deps, { client: c1, user: alice, scopes: SCOPES });
      let exchanged: { refresh_token: string } | undefined;
      const onExchange = await tokenStatements(async () => {
        const res = await exchangeCode(t, c1, issued);
        assert.equal(res.statusCode, 200, res.body);
        exchanged = res.json();
      });
      const onRefresh = await tokenStatements(async () => assert.equal((await refresh(t, c1, exchanged!.refresh_token)).statusCode, 200));
      if (dialect === 'postgres') {
        assert.equal(onExchange?.length, 1, onExchange?.join('\n---\n'));
        assert.equal(onRefresh?.length, 1, onRefresh?.join('\n---\n'));
      }
    });

    it('the successor row is the one the JavaScript minting gives: same family, scopes, sid and absolute end; idle end capped', async () => {
      const first = await start();
      const firstRow = (await t.deps.stores.tokens.findRefresh(digest(first.refresh_token)))!;
      assert.equal(firstRow.familyExpiresAt, firstRow.createdAt + t.config.ttl.refreshTokenAbsolute);
      assert.equal(firstRow.expiresAt, Math.min(firstRow.createdAt + t.config.ttl.refreshTokenIdle, firstRow.familyExpiresAt));
      assert.deepEqual([firstRow.parentId, firstRow.dpopJkt, firstRow.scopes], [null, null, SCOPES]);
      const second = (await refresh(t, c1, first.refresh_token)).json() as { refresh_token: string };
      const next = (await t.deps.stores.tokens.findRefresh(digest(second.refresh_token)))!;
      const now = t.clock.now();
      assert.equal(next.parentId, firstRow.id);
      assert.deepEqual(
        [next.familyId, next.grantId, next.appId, next.userId, next.scopes, next.authTime, next.amr, next.familyExpiresAt, next.sid, next.dpopJkt],
        [firstRow.familyId, firstRow.grantId, firstRow.appId, firstRow.userId, firstRow.scopes, firstRow.authTime, firstRow.amr, firstRow.familyExpiresAt, firstRow.sid, null],
      );
      assert.ok(Math.abs(next.createdAt - now) <= 1);
      assert.equal(next.expiresAt, Math.min(next.createdAt + t.config.ttl.refreshTokenIdle, next.familyExpiresAt));
      // Near the family's end the idle end is capped by it.
      await db().updateTable('refresh_tokens').set({ family_expires_at: now + 100 }).where('id', '=', next.id).execute();
      const third = await refresh(t, c1, second.refresh_token);
      assert.equal(third.statusCode, 200, third.body);
      const thirdRow = (await t.deps.stores.tokens.findRefresh(digest(third.json().refresh_token)))!;
      assert.deepEqual([thirdRow.expiresAt, thirdRow.familyExpiresAt], [now + 100, now + 100]);
    });

    it('a code without offline_access stores no refresh token', async () => {
      const issued = await issueTestCode(t.deps, { client: c1, user: alice, scopes: ['openid', 'workitems:read'] });
      const res = await exchangeCode(t, c1, issued);
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.json().refresh_token, undefined);
      assert.equal((await db().selectFrom('refresh_tokens').select('id').where('family_id', '=', issued.familyId).execute()).length, 0);
      await refused(await exchangeCode(t, c1, issued), 'invalid_grant');
    });

    describe('refresh refusals leave the token usable', () => {
      it('another client: invalid_grant', async () => {
        const first = await start();
        await refused(await refresh(t, c2, first.refresh_token), 'invalid_grant');
        await untouched(first.refresh_token, first.familyId, 1);
        assert.equal((await refresh(t, c1, first.refresh_token)).statusCode, 200);
      });

      it('a scope beyond the token: invalid_scope; a malformed one too', async () => {
        const first = await start();
        await refused(await refresh(t, c1, first.refresh_token, { scope: 'workitems:read builds:read' }), 'invalid_scope');
        await refused(await refresh(t, c1, first.refresh_token, { scope: 'workitems:read "x' }), 'invalid_scope');
        await untouched(first.refresh_token, first.familyId, 1);
        const narrowed = await refresh(t, c1, first.refresh_token, { scope: 'workitems:read' });
        assert.equal(narrowed.json().scope, 'workitems:read');
      });

      it('expired: invalid_grant', async () => {
        const first = await start();
        const id = digest(first.refresh_token);
        const expiresAt = (await t.deps.stores.tokens.findRefresh(id))!.expiresAt;
        await db().updateTable('refresh_tokens').set({ expires_at: t.clock.now() }).where('id', '=', id).execute();
        await refused(await refresh(t, c1, first.refresh_token), 'invalid_grant');
        await untouched(first.refresh_token, first.familyId, 1);
        await db().updateTable('refresh_tokens').set({ expires_at: expiresAt }).where('id', '=', id).execute();
        assert.equal((await refresh(t, c1, first.refresh_token)).statusCode, 200);
      });

      it('a grant that allows none of its scopes any more: invalid_grant; one that allows part: the part', async () => {
        const first = await start(['workitems:write', 'offline_access']);
        await db().updateTable('grants').set({ scopes: 'builds:read' }).where('id', '=', first.grantId).execute();
        await refused(await refresh(t, c1, first.refresh_token), 'invalid_grant');
        await untouched(first.refresh_token, first.familyId, 1);
        // The write taken away, its implied read kept (domain/scopes.ts narrowScopes).
        await db().updateTable('grants').set({ scopes: 'workitems:read' }).where('id', '=', first.grantId).execute();
        const kept = await refresh(t, c1, first.refresh_token);
        assert.equal(kept.statusCode, 200, kept.body);
        assert.equal(kept.json().scope, 'workitems:read');
      });

      it('a token covered by what its grant implies (full_access) refreshes in full', async () => {
        const first = await start(['workitems:read', 'code:write', 'offline_access']);
        await db().updateTable('grants').set({ scopes: 'full_access offline_access' }).where('id', '=', first.grantId).execute();
        const res = await refresh(t, c1, first.refresh_token);
        assert.equal(res.statusCode, 200, res.body);
        assert.equal(res.json().scope, 'workitems:read code:write offline_access');
      });

      it('a grant past its end: invalid_grant', async () => {
        const first = await start();
        await db().updateTable('grants').set({ expires_at: t.clock.now() - 1 }).where('id', '=', first.grantId).execute();
        await refused(await refresh(t, c1, first.refresh_token), 'invalid_grant');
        await untouched(first.refresh_token, first.familyId, 1);
        await db().updateTable('grants').set({ expires_at: null }).where('id', '=', first.grantId).execute();
        assert.equal((await refresh(t, c1, first.refresh_token)).statusCode, 200);
      });

      it('a disabled person: invalid_grant', async () => {
        const bob = await createUser(t.deps, `bob-${dialect}@example.com`, 'Bob');
        const first = await start(SCOPES, c1, bob);
        await db().updateTable('users').set({ disabled_at: t.clock.now() }).where('id', '=', bob.id).execute();
        await refused(await refresh(t, c1, first.refresh_token), 'invalid_grant');
        await untouched(first.refresh_token, first.familyId, 1);
        await db().updateTable('users').set({ disabled_at: null }).where('id', '=', bob.id).execute();
        assert.equal((await refresh(t, c1, first.refresh_token)).statusCode, 200);
      });

      it('a password changed after the token was issued: invalid_grant', async () => {
        const carol = await createUser(t.deps, `carol-${dialect}@example.com`, 'Carol');
        const first = await start(SCOPES, c1, carol);
        await db().updateTable('users').set({ password_changed_at: t.clock.now() + 1 }).where('id', '=', carol.id).execute();
        await refused(await refresh(t, c1, first.refresh_token), 'invalid_grant');
        await untouched(first.refresh_token, first.familyId, 1);
        await db().updateTable('users').set({ password_changed_at: t.clock.now() - 1 }).where('id', '=', carol.id).execute();
        assert.equal((await refresh(t, c1, first.refresh_token)).statusCode, 200);
      });

      it('a DPoP-bound token without a proof or with another key: invalid_grant; with its key it rotates, bound still', async () => {
        const issued = await issueTestCode(t.deps, { client: spa, user: alice, scopes: SCOPES });
        const form = { grant_type: 'authorization_code', code: issued.code, code_verifier: issued.verifier };
        const first = await postForm(t, '/token', spa, form, await dpopHeader());
        assert.equal(first.statusCode, 200, first.body);
        const rt = first.json().refresh_token as string;
        await refused(await refresh(t, spa, rt), 'invalid_grant');
        await refused(await refresh(t, spa, rt, {}), 'invalid_grant');
        const other = await postForm(t, '/token', spa, { grant_type: 'refresh_token', refresh_token: rt }, await dpopHeader(await proofKey()));
        await refused(other, 'invalid_grant');
        await untouched(rt, issued.familyId, 1);
        const good = await postForm(t, '/token', spa, { grant_type: 'refresh_token', refresh_token: rt }, await dpopHeader());
        assert.equal(good.statusCode, 200, good.body);
        assert.equal((await t.deps.stores.tokens.findRefresh(digest(good.json().refresh_token)))?.dpopJkt, key.jkt);
        assert.deepEqual(decodeJwt(good.json().access_token).cnf, { jkt: key.jkt });
      });

      it('a revoked grant: invalid_grant and nothing rotated', async () => {
        const first = await start();
        await t.deps.revoker.revokeGrant(first.grantId, 'test');
        await refused(await refresh(t, c1, first.refresh_token), 'invalid_grant');
        assert.equal((await t.deps.stores.tokens.findRefresh(digest(first.refresh_token)))?.rotatedAt, null);
      });
    });

    it('a rotated token presented again revokes its family (RFC 9700 §4.14.2)', async () => {
      const first = await start();
      const second = (await refresh(t, c1, first.refresh_token)).json() as { refresh_token: string };
      await refused(await refresh(t, c1, first.refresh_token), 'invalid_grant');
      await refused(await refresh(t, c1, second.refresh_token), 'invalid_grant');
      assert.notEqual((await t.deps.stores.tokens.findRefresh(digest(second.refresh_token)))?.revokedAt, null);
    });

    it('two concurrent refreshes of one token: exactly one wins', async () => {
      for (let round = 0; round < 5; round++) {
        const first = await start();
        const results = await Promise.all([refresh(t, c1, first.refresh_token), refresh(t, c1, first.refresh_token)]);
        assert.deepEqual(results.map((r) => r.statusCode).sort(), [200, 400], results.map((r) => r.body).join('\n'));
        const successors = await db().selectFrom('refresh_tokens').select('id').where('parent_id', '=', digest(first.refresh_token)).execute();
        assert.equal(successors.length, 1);
      }
    });

    describe('code refusals leave the code usable', () => {
      const code = (client = c1, extra: { redirectUri?: string; dpopJkt?: string; scopes?: string[]; user?: User } = {}) =>
        issueTestCode(t.deps, { client, user: extra.user ?? alice, scopes: extra.scopes ?? SCOPES, ...extra });

      it('another client, a wrong verifier, a missing or malformed verifier, another redirect_uri', async () => {
        const issued = await code(c1, { redirectUri: REDIRECT });
        const ok = { redirect_uri: REDIRECT };
        await refused(await exchangeCode(t, c2, issued, ok), 'invalid_grant');
        await refused(await exchangeCode(t, c1, { ...issued, verifier: 'x'.repeat(43) }, ok), 'invalid_grant');
        await refused(await postForm(t, '/token', c1, { grant_type: 'authorization_code', code: issued.code, ...ok }), 'invalid_request');
        await refused(await exchangeCode(t, c1, { ...issued, verifier: 'short' }, ok), 'invalid_request');
        await refused(await exchangeCode(t, c1, issued, { redirect_uri: 'http://127.0.0.1/other' }), 'invalid_grant');
        await refused(await exchangeCode(t, c1, issued), 'invalid_grant');
        await notConsumed(issued.code);
        assert.equal((await exchangeCode(t, c1, issued, ok)).statusCode, 200);
      });

      it('a code whose request named no redirect_uri: the single registered one or none is accepted, another refused', async () => {
        const issued = await code(c1);
        await refused(await exchangeCode(t, c1, issued, { redirect_uri: 'http://127.0.0.1/other' }), 'invalid_grant');
        await notConsumed(issued.code);
        assert.equal((await exchangeCode(t, c1, issued, { redirect_uri: REDIRECT })).statusCode, 200);
      });

      it('expired: invalid_grant', async () => {
        const issued = await code();
        const id = digest(issued.code);
        const expiresAt = (await t.deps.stores.tokens.findCode(id))!.expiresAt;
        await db().updateTable('authorization_codes').set({ expires_at: t.clock.now() }).where('id', '=', id).execute();
        await refused(await exchangeCode(t, c1, issued), 'invalid_grant');
        await notConsumed(issued.code);
        await db().updateTable('authorization_codes').set({ expires_at: expiresAt }).where('id', '=', id).execute();
        assert.equal((await exchangeCode(t, c1, issued)).statusCode, 200);
      });

      it('a DPoP-bound code without a proof or with another key: invalid_grant', async () => {
        const issued = await code(spa, { dpopJkt: key.jkt });
        const form = { grant_type: 'authorization_code', code: issued.code, code_verifier: issued.verifier };
        await refused(await postForm(t, '/token', spa, form), 'invalid_grant');
        await refused(await postForm(t, '/token', spa, form, await dpopHeader(await proofKey())), 'invalid_grant');
        await notConsumed(issued.code);
        assert.equal((await postForm(t, '/token', spa, form, await dpopHeader())).statusCode, 200);
      });

      it('a disabled person, a grant past its end, a grant that allows none of its scopes: invalid_grant', async () => {
        const dave = await createUser(t.deps, `dave-${dialect}@example.com`, 'Dave');
        const issued = await code(c1, { user: dave, scopes: ['workitems:write', 'offline_access'] });
        await db().updateTable('users').set({ disabled_at: t.clock.now() }).where('id', '=', dave.id).execute();
        await refused(await exchangeCode(t, c1, issued), 'invalid_grant');
        await db().updateTable('users').set({ disabled_at: null }).where('id', '=', dave.id).execute();
        await db().updateTable('grants').set({ expires_at: t.clock.now() - 1 }).where('id', '=', issued.grantId).execute();
        await refused(await exchangeCode(t, c1, issued), 'invalid_grant');
        await db().updateTable('grants').set({ expires_at: null, scopes: 'builds:read' }).where('id', '=', issued.grantId).execute();
        await refused(await exchangeCode(t, c1, issued), 'invalid_grant');
        await notConsumed(issued.code);
        await db().updateTable('grants').set({ scopes: 'full_access offline_access' }).where('id', '=', issued.grantId).execute();
        const res = await exchangeCode(t, c1, issued);
        assert.equal(res.statusCode, 200, res.body);
        assert.equal(res.json().scope, 'workitems:write offline_access');
      });

      it('a code redeemed twice revokes what it issued (RFC 6749 §4.1.2)', async () => {
        const issued = await code();
        const res = await exchangeCode(t, c1, issued);
        assert.equal(res.statusCode, 200, res.body);
        await refused(await exchangeCode(t, c1, issued), 'invalid_grant');
        await refused(await refresh(t, c1, res.json().refresh_token), 'invalid_grant');
      });

      it('two concurrent exchanges of one code: exactly one wins', async () => {
        const issued = await code();
        const results = await Promise.all([exchangeCode(t, c1, issued), exchangeCode(t, c1, issued)]);
        assert.deepEqual(results.map((r) => r.statusCode).sort(), [200, 400]);
      });
    });
  });
}
