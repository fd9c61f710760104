/**
 * Issue 21, the console's Audit log over HTTP on each dialect: the filters (person by email,
 * service, type or prefix, from/to, actor), keyset pages across 250 events of which several share
 * a second (each seen once, in order), a 400 page for a cursor or a filter it cannot use, the
 * export as JSON lines (every matching event, over more than one batch, the CLI's fields) recorded
 * as `audit.exported` with the operator, the links from a person's and a service's page, and the
 * guard's 404 for someone who is not an operator.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createClient, createUser, type TestClient } from '../support/fixtures.ts';
import { Browser, findForm } from '../support/browser.ts';
import type { User } from '../../src/domain/users.ts';
import { auditJson } from '../../src/domain/audit_log.ts';
import { createOperator, nextLink, signedInOperator, type Operator } from './admin_support.ts';

/** 2026-11-01T00:00:00Z */
const NOV_1 = Date.UTC(2026, 10, 1) / 1000;
const DAY = 86_400;
const PAGED = 250;

/** The `seq:` detail of each event row, in page order. */
function seqs(body: string): string[] {
  return [...body.matchAll(/seq: (p\d{3})/g)].map((m) => m[1]!);
}

function types(body: string): string[] {
  return [...body.matchAll(/<td data-label="Event" class="type"><code>([^<]+)<\/code>/g)].map((m) => m[1]!);
}

const audit = (filters: Record<string, string>) => `/admin/audit?${new URLSearchParams(filters)}`;

for (const dialect of dialects()) {
  describe(`issue 21: the console's Audit log (${dialect})`, () => {
    let t: TestApp;
    let browser: Browser;
    let olga: Operator;
    let alice: User;
    let bob: User;
    let tracker: TestClient;

    before(async () => {
      t = await startTestApp({ dialect, env: { THROTTLE_LOGIN_PER_IP: '100000/300' } });
      olga = await createOperator(t, 'olga@example.com');
      browser = await signedInOperator(t, olga);
      alice = await createUser(t.deps, 'alice@example.com', 'Alice', { verified: true });
      bob = await createUser(t.deps, 'bob@example.com', 'Bob', { verified: true });
      tracker = await createClient(t.deps, { name: 'Time Tracker', redirectUris: ['https://tracker.example/cb'] });
      const record = t.deps.stores.audit.record.bind(t.deps.stores.audit);
      // 250 events over 63 seconds of 1 Nov: four in most seconds, so the order inside a second is the id's.
      for (let i = 0; i < PAGED; i++) {
        await record({ type: 'test.paged', userId: i % 2 === 0 ? alice.id : bob.id, detail: { seq: `p${String(i).padStart(3, '0')}` } }, NOV_1 + Math.floor(i / 4));
      }
      await record({ type: 'grant.approved', userId: alice.id, appId: tracker.clientId, ip: '198.51.100.7', detail: { scopes: ['openid'] } }, NOV_1 + 2 * DAY);
      await record({ type: 'grant.revoked', userId: alice.id, appId: tracker.clientId, detail: { by: 'user' } }, NOV_1 + 3 * DAY);
      await record({ type: 'user.disabled', userId: bob.id, detail: { via: 'admin', actor: olga.user.id } }, NOV_1 + 4 * DAY);
      await record({ type: 'user.enabled', userId: bob.id, detail: { via: 'cli' } }, NOV_1 + 5 * DAY);
    });
    after(() => t?.close());

    it('the console links to it; a person and a service link to their own events', async () => {
      const home = await browser.get('/admin');
      assert.match(home.body, /<a href="\/admin\/audit"[^>]*>Audit log<\/a>/);
      const person = await browser.get(`/admin/people/${alice.id}`);
      assert.match(person.body, /href="\/admin\/audit\?person=alice%40example\.com"/);
      const service = await browser.get(`/admin/services/${tracker.clientId}`);
      assert.ok(service.body.includes(`href="/admin/audit?service=${encodeURIComponent(tracker.clientId)}"`));
    });

    it('filters by person (email), service, type or prefix, and from/to dates', async () => {
      const byService = await browser.get(audit({ service: tracker.clientId }));
      assert.equal(byService.statusCode, 200);
      assert.deepEqual(types(byService.body), ['grant.revoked', 'grant.approved']);
      assert.match(byService.body, /198\.51\.100\.7/);
      assert.match(byService.body, /<time datetime="2026-11-03T00:00:00.000Z">2026-11-03 00:00 UTC<\/time>/);

      const prefix = await browser.get(audit({ person: 'ALICE@example.com', type: 'grant.' }));
      assert.deepEqual(types(prefix.body), ['grant.revoked', 'grant.approved']);
      const exact = await browser.get(audit({ person: 'alice@example.com', type: 'grant.approved' }));
      assert.deepEqual(types(exact.body), ['grant.approved']);
      assert.deepEqual(types((await browser.get(audit({ person: 'bob@example.com', type: 'grant.' }))).body), []);

      // A date alone: "from" its first second, "to" its last, so from = to = 3 Nov is the whole day.
      const day = await browser.get(audit({ from: '2026-11-04', to: '2026-11-04' }));
      assert.deepEqual(types(day.body), ['grant.revoked']);
      const range = await browser.get(audit({ from: '2026-11-03T00:00:01Z', to: '2026-11-05 12:00' }));
      assert.deepEqual(types(range.body), ['user.disabled', 'grant.revoked']);
      assert.match(range.body, /value="2026-11-05 12:00"/, 'the form shows the filters back');

      const nobody = await browser.get(audit({ person: 'carol@example.com' }));
      assert.equal(nobody.statusCode, 200);
      assert.deepEqual(types(nobody.body), []);
      assert.match(nobody.body, /No person has the email carol@example\.com\./);
      assert.match((await browser.get(audit({ type: 'nothing.happened' }))).body, /No event matches\./);
    });

    it('filters by actor: an operator by email, or cli; the detail names the operator', async () => {
      const byOlga = await browser.get(audit({ actor: 'olga@example.com' }));
      assert.deepEqual(types(byOlga.body), ['user.disabled']);
      assert.ok(byOlga.body.includes(`By <a href="/admin/people/${olga.user.id}">olga@example.com</a> in the console`));
      const byCli = await browser.get(audit({ actor: 'cli', person: 'bob@example.com' }));
      assert.deepEqual(types(byCli.body), ['user.enabled']);
      assert.match(byCli.body, /By an operator with the CLI/);

      // A real action in the console is found by its operator.
      const page = await browser.get(`/admin/services/${tracker.clientId}`);
      const form = findForm(page.body, /\/suspend$/)!;
      assert.equal((await browser.post(form.action, { ...form.hidden, reason: 'Phishing' })).statusCode, 303);
      const suspended = await browser.get(audit({ actor: 'olga@example.com', service: tracker.clientId }));
      assert.deepEqual(types(suspended.body), ['app.suspended']);
      assert.match(suspended.body, /reason: Phishing/);
    });

    it('pages through 250 events, several in one second, newest first: each exactly once, in order', async () => {
      const seen: string[] = [];
      let url: string | undefined = audit({ type: 'test.paged' });
      let pages = 0;
      while (url !== undefined) {
        const res = await browser.get(url);
        assert.equal(res.statusCode, 200, url);
        seen.push(...seqs(res.body));
        url = nextLink(res.body);
        if (url !== undefined) assert.match(url, /^\/admin\/audit\?type=test\.paged&after=[A-Za-z0-9_-]+$/, 'the next page keeps the filters');
        pages += 1;
      }
      const expected = Array.from({ length: PAGED }, (_, i) => `p${String(PAGED - 1 - i).padStart(3, '0')}`);
      assert.deepEqual(seen, expected);
      assert.equal(pages, 5);

      // The same walk with a person filter: alice's half, still in order.
      const alices: string[] = [];
      url = audit({ person: 'alice@example.com', type: 'test.paged' });
      while (url !== undefined) {
        const res = await browser.get(url);
        alices.push(...seqs(res.body));
        url = nextLink(res.body);
      }
      assert.deepEqual(alices, expected.filter((s) => Number(s.slice(1)) % 2 === 0));
    });

    it('a cursor it did not hand out, a bad date, type, email or actor: a 400 page with a plain sentence', async () => {
      const forged = Buffer.from(JSON.stringify([NOV_1, 'x'])).toString('base64url');
      for (const after of ['not-a-cursor!', forged, 'AAAA']) {
        const res = await browser.get(audit({ after }));
        assert.equal(res.statusCode, 400, after);
        assert.match(res.body, /This page of results is not one we handed out/);
      }
      const cases: [Record<string, string>, RegExp][] = [
        [{ from: 'yesterday' }, /From: &quot;yesterday&quot; is not an ISO 8601 date or date-time/],
        [{ to: '2026-02-31' }, /To: &quot;2026-02-31&quot; is not an ISO 8601 date/],
        [{ type: "x' or 1=1 --" }, /Event type: .* is not an event type like grant\.revoked/],
        [{ person: 'not@an email' }, /Person: .* is not an email address/],
        [{ actor: 'someone' }, /Actor: give an operator’s email address, or cli\./],
      ];
      for (const [filters, sentence] of cases) {
        for (const path of ['/admin/audit', '/admin/audit/export']) {
          const res = await browser.get(`${path}?${new URLSearchParams(filters)}`);
          assert.equal(res.statusCode, 400, JSON.stringify(filters));
          assert.match(res.headers['content-type'] as string, /^text\/html/);
          assert.match(res.body, sentence);
        }
      }
    });

    it('exports every matching event as JSON lines, over several batches, and records audit.exported with the operator', async () => {
      // More than one batch of the export (500 rows a read).
      for (let i = 0; i < 620; i++) await t.deps.stores.audit.record({ type: 'test.bulk', detail: { n: i } }, NOV_1 + 10 * DAY + Math.floor(i / 7));
      const res = await browser.get('/admin/audit/export?type=test.');
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['content-type'], 'application/x-ndjson; charset=utf-8');
      assert.match(res.headers['content-disposition'] as string, /^attachment; filename="tessera-audit-\d{4}-\d{2}-\d{2}\.jsonl"$/);
      assert.ok(res.body.endsWith('\n'));
      const lines = res.body.trimEnd().split('\n').map((l) => JSON.parse(l) as ReturnType<typeof auditJson>);
      assert.equal(lines.length, PAGED + 620);
      assert.equal(new Set(lines.map((l) => l.id)).size, lines.length, 'no event twice');
      const expected = (await t.deps.stores.auditLog.list({ type: 'test.', limit: 10_000 })).map(auditJson);
      assert.deepEqual(lines, JSON.parse(JSON.stringify(expected)), 'the fields and order of tessera audit list --json');
      assert.deepEqual(Object.keys(lines[0]!), ['id', 'at', 'type', 'user_id', 'user_email', 'app_id', 'ip', 'detail']);

      // Followed from another site (a link, a top-level navigation that carries the Lax cookie): refused, nothing recorded.
      const crossSite = await browser.get('/admin/audit/export?type=test.', { 'sec-fetch-site': 'cross-site' });
      assert.equal(crossSite.statusCode, 403);
      assert.doesNotMatch(String(crossSite.headers['content-type']), /ndjson/);
      const [exported, ...older] = await t.deps.stores.auditLog.list({ type: 'audit.exported', limit: 10 });
      assert.equal(older.length, 0);
      assert.deepEqual(exported!.detail, { via: 'admin', actor: olga.user.id, filters: { type: 'test.' } });
      assert.equal(exported!.userId, null);

      // Filtered by the operator, the export itself shows up in the log, not in its own file.
      const second = await browser.get('/admin/audit/export?actor=olga%40example.com&type=audit.');
      const own = second.body.trimEnd().split('\n').map((l) => JSON.parse(l) as { type: string; detail: { filters: unknown } });
      assert.deepEqual(own.map((e) => [e.type, e.detail.filters]), [['audit.exported', { type: 'test.' }]]);
      const shown = await browser.get(audit({ type: 'audit.exported' }));
      assert.deepEqual(types(shown.body), ['audit.exported', 'audit.exported']);
      assert.match(shown.body, /filters: <code>\{&quot;type&quot;:&quot;audit.&quot;,&quot;actor&quot;:&quot;olga@example.com&quot;\}<\/code>/);

      const none = await browser.get('/admin/audit/export?person=carol%40example.com');
      assert.equal(none.statusCode, 200);
      assert.equal(none.body, '');
    });

    it('someone signed in who is not an operator gets the 404 of an unknown address, and nothing is exported', async () => {
      const nina = new Browser(t);
      await createUser(t.deps, 'nina@example.com', 'Nina', { verified: true });
      assert.equal((await nina.signIn('nina@example.com')).statusCode, 303);
      const unknown = await nina.get('/no-such-address');
      const before = (await t.deps.stores.auditLog.list({ type: 'audit.exported', limit: 100 })).length;
      for (const url of ['/admin/audit', '/admin/audit/export', audit({ type: 'grant.' })]) {
        const res = await nina.get(url);
        assert.equal(res.statusCode, 404, url);
        assert.equal(res.body, unknown.body, url);
      }
      assert.equal((await t.deps.stores.auditLog.list({ type: 'audit.exported', limit: 100 })).length, before);
    });
  });
}
