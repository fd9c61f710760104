/**
 * Keeping data bounded (issue 7): `tessera janitor` and the servers' background timer delete rows
 * past retention — expired codes, refresh tokens, sessions, pending requests, denylist entries,
 * old activity, audit events past AUDIT_RETENTION_DAYS, sent and failed mail, dead account links,
 * answered or expired invitations (issue 15), expired passkey challenges (issue 16) — in bounded
 * batches, and leave every live row alone.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createClient, createUser } from '../support/fixtures.ts';
import { randomId } from '../../src/crypto/random.ts';
import type { Deps } from '../../src/deps.ts';
import { SqlPurgeStore } from '../../src/persistence/stores/purge.ts';
import { CliTarget, assertRefused } from './cli.ts';

const DAY = 86400;

/** Rows a real installation holds: for each kind, one long past its end and one still live. */
async function seedRows(deps: Deps, now: number, expiredCodes = 1): Promise<{ live: Record<string, string>; old: Record<string, string> }> {
  const db = deps.database.db;
  const user = await createUser(deps, `p-${randomId()}@example.com`);
  const client = await createClient(deps);
  const grantId = (await deps.stores.grants.approve(user.id, client.clientId, ['openid'], now)).id;
  const live: Record<string, string> = {};
  const old: Record<string, string> = {};

  const code = (id: string, expiresAt: number) => ({
    id, app_id: client.clientId, user_id: user.id, grant_id: grantId, family_id: randomId(), redirect_uri: '', scopes: 'openid',
    code_challenge: 'x', nonce: null, auth_time: now, amr: '[]', created_at: expiresAt - 60, expires_at: expiresAt, consumed_at: null,
  });
  for (let i = 0; i < expiredCodes; i++) await db.insertInto('authorization_codes').values(code((old[`code${i}`] = randomId()), now - 20 * DAY)).execute();
  // Expired, but inside the 15 days the portal's usage panel still counts.
  await db.insertInto('authorization_codes').values(code((live.recentCode = randomId()), now - 2 * DAY)).execute();

  const refresh = (id: string, expiresAt: number, extra: { rotated_at?: number; revoked_at?: number } = {}) => ({
    id, family_id: randomId(), grant_id: grantId, app_id: client.clientId, user_id: user.id, scopes: 'openid', auth_time: now, amr: '[]',
    parent_id: null, created_at: now - 40 * DAY, expires_at: expiresAt, family_expires_at: expiresAt, rotated_at: extra.rotated_at ?? null, revoked_at: extra.revoked_at ?? null,
  });
  await db.insertInto('refresh_tokens').values(refresh((old.expiredRefresh = randomId()), now - 20 * DAY)).execute();
  await db.insertInto('refresh_tokens').values(refresh((old.revokedRefresh = randomId()), now + 10 * DAY, { revoked_at: now - 20 * DAY })).execute();
  // Rotated long ago but not expired: kept, so its reuse is still detected (RFC 9700 §4.14.2).
  await db.insertInto('refresh_tokens').values(refresh((live.rotatedRefresh = randomId()), now + 10 * DAY, { rotated_at: now - 20 * DAY })).execute();
  await db.insertInto('refresh_tokens').values(refresh((live.refresh = randomId()), now + 10 * DAY)).execute();

  const session = (id: string, expiresAt: number, endedAt: number | null) => ({
    id, user_id: user.id, auth_time: now, amr: '[]', created_at: now - 30 * DAY, last_seen_at: now - 30 * DAY, expires_at: expiresAt, ended_at: endedAt, ip: null, user_agent: null,
  });
  await db.insertInto('sessions').values(session((old.expiredSession = randomId()), now - 2 * DAY, null)).execute();
  await db.insertInto('sessions').values(session((old.endedSession = randomId()), now + 5 * DAY, now - 2 * DAY)).execute();
  await db.insertInto('sessions').values(session((live.session = randomId()), now + 5 * DAY, null)).execute();

  const interaction = (id: string, expiresAt: number) => ({ id, app_id: client.clientId, params: '{}', session_id: null, created_at: expiresAt - 900, expires_at: expiresAt, consumed_at: null });
  await db.insertInto('interactions').values(interaction((old.interaction = randomId()), now - 2 * DAY)).execute();
  await db.insertInto('interactions').values(interaction((live.interaction = randomId()), now + 600)).execute();

  const pending = (id: string, expiresAt: number) => ({ id, user_id: user.id, interaction_id: null, attempts: 0, created_at: expiresAt - 300, expires_at: expiresAt, consumed_at: null });
  await db.insertInto('pending_sign_ins').values(pending((old.pending = randomId()), now - 2 * DAY)).execute();
  await db.insertInto('pending_sign_ins').values(pending((live.pending = randomId()), now + 300)).execute();

  await db.insertInto('revocations').values({ id: (old.revocation = randomId()), kind: 'token', revoked_at: now - DAY, expires_at: now - 2 * 3600 }).execute();
  await db.insertInto('revocations').values({ id: (live.revocation = randomId()), kind: 'token', revoked_at: now - 60, expires_at: now + 600 }).execute();

  const otherGrant = (await deps.stores.grants.approve(user.id, (await createClient(deps)).clientId, ['openid'], now)).id;
  await db.insertInto('grant_narrowings').values({ grant_id: (old.narrowing = grantId), scopes: 'openid', org_ids: null, narrowed_at: now - DAY, expires_at: now - 2 * 3600 }).execute();
  await db.insertInto('grant_narrowings').values({ grant_id: (live.narrowing = otherGrant), scopes: 'openid', org_ids: null, narrowed_at: now - 60, expires_at: now + 600 }).execute();

  const day = (t: number) => new Date(t * 1000).toISOString().slice(0, 10);
  await db.insertInto('grant_activity').values({ grant_id: grantId, day: (old.activityDay = day(now - 100 * DAY)), calls: 3 }).execute();
  await db.insertInto('grant_activity').values({ grant_id: grantId, day: (live.activityDay = day(now - 10 * DAY)), calls: 5 }).execute();
  const kind = (d: string) => ({ grant_id: grantId, day: d, method: 'GET', route: '/api/v1/me', org: '', calls: 2, refused: 0, last_at: now });
  await db.insertInto('grant_call_kinds').values(kind((old.kindDay = day(now - 100 * DAY)))).execute();
  await db.insertInto('grant_call_kinds').values(kind((live.kindDay = day(now - 10 * DAY)))).execute();
  const action = (id: string, at: number) => ({ id, grant_id: grantId, at, method: 'GET', route: '/api/v1/me', status: 200, ip: null });
  await db.insertInto('grant_actions').values(action((old.action = randomId()), now - 100 * DAY)).execute();
  await db.insertInto('grant_actions').values(action((live.action = randomId()), now - 10 * DAY)).execute();

  // Past the default 365 days, and past the database's 90-day floor but inside the retention.
  await recordAuditEvent(deps, (old.audit = `test.old_${randomId()}`), now - 400 * DAY);
  await recordAuditEvent(deps, (live.audit = `test.kept_${randomId()}`), now - 200 * DAY);
  await seedMailRows(deps, user.id, now, live, old);

  // Device recognition (issue 15): a browser unused for 400 days is forgotten; one seen within them stays.
  const browser = (digest: string, lastSeen: number) => ({ user_id: user.id, browser_digest: digest, first_seen_at: lastSeen - DAY, last_seen_at: lastSeen });
  await db.insertInto('known_browsers').values(browser((old.knownBrowser = randomId()), now - 401 * DAY)).execute();
  await db.insertInto('known_browsers').values(browser((live.knownBrowser = randomId()), now - 399 * DAY)).execute();

  // Passkey challenges (issue 16): one expired two days ago goes; one expired within the day of skew stays.
  const challenge = (id: string, expiresAt: number) => ({ id, purpose: 'sign_in', user_id: null, pending_id: null, data: null, created_at: expiresAt - 300, expires_at: expiresAt });
  await db.insertInto('passkey_challenges').values(challenge((old.passkeyChallenge = randomId()), now - 2 * DAY)).execute();
  await db.insertInto('passkey_challenges').values(challenge((live.passkeyChallenge = randomId()), now - DAY / 2)).execute();
  return { live, old };
}

/** Issue 15: sent mail goes after 30 days, failed mail 90 days after its last attempt, dead links after a day, answered or expired invitations after 90 days. */
async function seedMailRows(deps: Deps, userId: string, now: number, live: Record<string, string>, old: Record<string, string>): Promise<void> {
  const db = deps.database.db;
  const mail = (id: string, status: 'pending' | 'sent' | 'failed', createdAt: number, lastDue: number, sentAt: number | null) => ({
    id, kind: 'notice', to_address: 'p@example.com', user_id: userId, data: '{}', status, attempts: 1, next_attempt_at: lastDue,
    lease_owner: null, lease_until: null, last_error: status === 'failed' ? 'SMTP 550' : null, created_at: createdAt, sent_at: sentAt,
  });
  await db.insertInto('mail_outbox').values(mail((old.sentMail = randomId()), 'sent', now - 31 * DAY, now - 31 * DAY, now - 31 * DAY)).execute();
  await db.insertInto('mail_outbox').values(mail((live.sentMail = randomId()), 'sent', now - 29 * DAY, now - 29 * DAY, now - 29 * DAY)).execute();
  await db.insertInto('mail_outbox').values(mail((old.failedMail = randomId()), 'failed', now - 95 * DAY, now - 91 * DAY, null)).execute();
  // Written long ago, but retried (tessera mail retry) and failed again lately: kept from its last attempt.
  await db.insertInto('mail_outbox').values(mail((live.failedMail = randomId()), 'failed', now - 200 * DAY, now - 10 * DAY, null)).execute();
  // Pending mail is never purged, however old: it has not left yet.
  await db.insertInto('mail_outbox').values(mail((live.pendingMail = randomId()), 'pending', now - 200 * DAY, now + 30 * DAY, null)).execute();

  const link = (id: string, expiresAt: number, usedAt: number | null) => ({ id, user_id: userId, purpose: 'verify_email' as const, email: 'p@example.com', stamp: null, created_at: expiresAt - DAY, expires_at: expiresAt, used_at: usedAt });
  await db.insertInto('account_links').values(link((old.expiredLink = randomId()), now - 2 * DAY, null)).execute();
  // Expired only half a day ago, but used two days ago: a day past its end.
  await db.insertInto('account_links').values(link((old.usedLink = randomId()), now - DAY / 2, now - 2 * DAY)).execute();
  await db.insertInto('account_links').values(link((live.recentlyExpiredLink = randomId()), now - DAY / 2, null)).execute();
  await db.insertInto('account_links').values(link((live.link = randomId()), now + 3600, null)).execute();

  const org = (await deps.stores.organizations.create({ slug: `o-${randomId().toLowerCase().replace(/[^a-z0-9]/g, '')}`, name: 'Org', ownerUserId: userId }, now))!;
  const invitation = (id: string, status: string, expiresAt: number, decidedAt: number | null) => ({
    id, org_id: org.id, email: `i-${randomId()}@example.com`, role: 'member', status, invited_by: userId, created_at: expiresAt - 7 * DAY, expires_at: expiresAt, decided_at: decidedAt, decided_by: decidedAt === null ? null : userId,
  });
  await db.insertInto('org_invitations').values(invitation((old.expiredInvitation = randomId()), 'pending', now - 91 * DAY, null)).execute();
  await db.insertInto('org_invitations').values(invitation((old.answeredInvitation = randomId()), 'accepted', now - 85 * DAY, now - 91 * DAY)).execute();
  await db.insertInto('org_invitations').values(invitation((live.expiredInvitation = randomId()), 'pending', now - 10 * DAY, null)).execute();
  await db.insertInto('org_invitations').values(invitation((live.answeredInvitation = randomId()), 'declined', now + 3 * DAY, now - 10 * DAY)).execute();
  await db.insertInto('org_invitations').values(invitation((live.invitation = randomId()), 'pending', now + 3 * DAY, null)).execute();
}

/** An audit event recorded at `at`, with `type` unique to the test so it can be looked up. */
async function recordAuditEvent(deps: Deps, type: string, at: number): Promise<void> {
  await deps.database.db.insertInto('audit_events').values({ at, type, user_id: null, app_id: null, ip: null, detail: '{}' }).execute();
}

const TABLE_OF: Record<string, [table: string, column: string]> = {
  code: ['authorization_codes', 'id'],
  recentCode: ['authorization_codes', 'id'],
  expiredRefresh: ['refresh_tokens', 'id'],
  revokedRefresh: ['refresh_tokens', 'id'],
  rotatedRefresh: ['refresh_tokens', 'id'],
  refresh: ['refresh_tokens', 'id'],
  expiredSession: ['sessions', 'id'],
  endedSession: ['sessions', 'id'],
  session: ['sessions', 'id'],
  interaction: ['interactions', 'id'],
  pending: ['pending_sign_ins', 'id'],
  revocation: ['revocations', 'id'],
  narrowing: ['grant_narrowings', 'grant_id'],
  activityDay: ['grant_activity', 'day'],
  kindDay: ['grant_call_kinds', 'day'],
  action: ['grant_actions', 'id'],
  audit: ['audit_events', 'type'],
  sentMail: ['mail_outbox', 'id'],
  failedMail: ['mail_outbox', 'id'],
  pendingMail: ['mail_outbox', 'id'],
  expiredLink: ['account_links', 'id'],
  usedLink: ['account_links', 'id'],
  recentlyExpiredLink: ['account_links', 'id'],
  link: ['account_links', 'id'],
  expiredInvitation: ['org_invitations', 'id'],
  answeredInvitation: ['org_invitations', 'id'],
  invitation: ['org_invitations', 'id'],
  knownBrowser: ['known_browsers', 'browser_digest'],
  passkeyChallenge: ['passkey_challenges', 'id'],
};

async function exists(deps: Deps, name: string, value: string): Promise<boolean> {
  const [table, column] = TABLE_OF[name.replace(/\d+$/, '')]!;
  // Tables and columns come from TABLE_OF above, so the untyped lookup is safe here.
  const rows = await deps.database.db.selectFrom(table as 'sessions').select(column as 'id').where(column as 'id', '=', value).execute();
  return rows.length > 0;
}

async function assertPurged(deps: Deps, rows: { live: Record<string, string>; old: Record<string, string> }): Promise<void> {
  for (const [name, value] of Object.entries(rows.old)) assert.equal(await exists(deps, name, value), false, `${name} should be purged`);
  for (const [name, value] of Object.entries(rows.live)) assert.equal(await exists(deps, name, value), true, `${name} should stay`);
}

for (const dialect of dialects()) {
  describe(`tessera janitor (${dialect})`, () => {
    let target: CliTarget;
    let server: TestApp;

    before(async () => {
      target = await CliTarget.create(dialect);
      server = await target.startApp();
    });
    after(async () => {
      await server.close();
      await target.close();
    });

    it('purges rows past retention, keeps live ones, and reports the counts as JSON', async () => {
      const rows = await seedRows(server.deps, server.deps.clock.now());
      const report = await target.json<{ deleted: Record<string, number>; total: number; complete: boolean }>(['janitor']);
      assert.equal(report.complete, true);
      for (const kind of ['authorization_codes', 'sessions', 'interactions', 'pending_sign_ins', 'revocations', 'grant_narrowings', 'grant_activity', 'grant_call_kinds', 'grant_actions', 'audit_events', 'mail_sent', 'mail_failed', 'known_browsers', 'passkey_challenges']) {
        assert.ok(report.deleted[kind]! >= 1, `${kind}: ${JSON.stringify(report.deleted)}`);
      }
      assert.ok(report.deleted.refresh_tokens! >= 2);
      assert.ok(report.deleted.account_links! >= 2 && report.deleted.org_invitations! >= 2, JSON.stringify(report.deleted));
      await assertPurged(server.deps, rows);
      // Idempotent: a second run finds nothing of these.
      const again = await target.json<{ total: number }>(['janitor']);
      assert.equal(again.total, 0);
    });

    it('works in bounded batches: --batch-size and --max-batches cap one run, the next goes on', async () => {
      const rows = await seedRows(server.deps, server.deps.clock.now(), 5);
      const first = await target.json<{ deleted: Record<string, number>; complete: boolean }>(['janitor', '--batch-size', '2', '--max-batches', '1']);
      assert.equal(first.deleted.authorization_codes, 2);
      assert.equal(first.complete, false);
      const second = await target.json<{ deleted: Record<string, number>; complete: boolean }>(['janitor', '--batch-size', '2', '--max-batches', '1']);
      assert.equal(second.deleted.authorization_codes, 2);
      const rest = await target.json<{ deleted: Record<string, number>; complete: boolean }>(['janitor', '--batch-size', '2']);
      assert.equal(rest.deleted.authorization_codes, 1);
      assert.equal(rest.complete, true);
      await assertPurged(server.deps, rows);
    });

    it('refuses a bad batch size', async () => {
      assertRefused(await target.run(['janitor', '--batch-size', '0']), 2, /--batch-size/);
    });

    it('AUDIT_RETENTION_DAYS: forever keeps every audit event; a shorter retention purges sooner', async () => {
      const now = server.deps.clock.now();
      const old = `test.old_${randomId()}`;
      const young = `test.young_${randomId()}`;
      await recordAuditEvent(server.deps, old, now - 320 * DAY);
      await recordAuditEvent(server.deps, young, now - 250 * DAY);
      const forever = await target.run(['janitor', '--json'], { AUDIT_RETENTION_DAYS: 'forever' });
      assert.equal(forever.code, 0, forever.stderr);
      assert.equal((JSON.parse(forever.stdout) as { deleted: Record<string, number> }).deleted.audit_events, 0);
      assert.equal(await exists(server.deps, 'audit', old), true);

      // Past 300 days: only the older one goes, and the text report names the count.
      const shorter = await target.run(['janitor'], { AUDIT_RETENTION_DAYS: '300' });
      assert.equal(shorter.code, 0, shorter.stderr);
      assert.match(shorter.stdout, /^Purged \d+ rows? past retention\.$/m);
      assert.match(shorter.stdout, /^ {2}audit_events +1$/m);
      assert.equal(await exists(server.deps, 'audit', old), false);
      assert.equal(await exists(server.deps, 'audit', young), true);
    });

    it('refuses an AUDIT_RETENTION_DAYS below the database floor', async () => {
      assertRefused(await target.run(['janitor'], { AUDIT_RETENTION_DAYS: '89' }), 2, /AUDIT_RETENTION_DAYS must be whole days from 90 .* or forever; got "89"/);
      assertRefused(await target.run(['janitor'], { AUDIT_RETENTION_DAYS: '0' }), 2, /AUDIT_RETENTION_DAYS/);
    });

    it('an audit cutoff past the 90-day floor (a node clock ahead of the database) deletes only what the trigger allows', async () => {
      const now = Math.floor(Date.now() / 1000);
      const old = `test.old_${randomId()}`;
      const young = `test.young_${randomId()}`;
      await recordAuditEvent(server.deps, old, now - 91 * DAY);
      await recordAuditEvent(server.deps, young, now - 10 * DAY);
      // Without the store's own floor, the young row would make the trigger abort the whole batch.
      // (Earlier tests' kept events, 200 days old, go too: the cutoff here is now.)
      const deleted = await new SqlPurgeStore(server.deps.database.db).purge('audit_events', now, 500);
      assert.ok(deleted >= 1);
      assert.equal(await exists(server.deps, 'audit', old), false);
      assert.equal(await exists(server.deps, 'audit', young), true);
    });

    it('the server purges in the background on its own timer', async () => {
      const app = await startTestApp({ database: dialect === 'sqlite' ? { dialect, sqlitePath: target.sqlitePath! } : { dialect, schema: target.schema! }, keyEncryptionKey: target.kek, env: { JANITOR_INTERVAL_MS: '100' } });
      try {
        const rows = await seedRows(app.deps, app.deps.clock.now());
        // Until every old row is gone, not a fixed pause after the first: a round that began while
        // the rows were being seeded takes only some of them, and rounds are slow on a loaded machine.
        const anyLeft = async () => {
          for (const [name, value] of Object.entries(rows.old)) if (await exists(app.deps, name, value)) return true;
          return false;
        };
        const deadline = Date.now() + 10_000;
        while (Date.now() < deadline && (await anyLeft())) await new Promise((r) => setTimeout(r, 50));
        await assertPurged(app.deps, rows);
      } finally {
        await app.close();
      }
    });
  });
}
