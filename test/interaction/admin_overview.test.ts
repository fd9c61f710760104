/**
 * Issue 21, the console's Overview over HTTP on each dialect. Counts are seeded on known UTC days
 * (the clock set to noon of a day): sign-ins as audit events, tokens issued at the token endpoint
 * (and stored counts), API calls through the usage recorder's daily counts, refusals through the error counts. Each chart's bars (SVG rects) and its
 * table show them on their days, a day with nothing is 0, a day before the 30 is left out; the top
 * lists are in order and link to the services' console pages.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createClient, createUser, type TestClient } from '../support/fixtures.ts';
import type { Browser } from '../support/browser.ts';
import { isoDay } from '../../src/domain/app_errors.ts';
import type { User } from '../../src/domain/users.ts';
import { createOperator, signedInOperator } from './admin_support.ts';
import { obtainTokens, refresh } from '../support/codes.ts';

const DAY = 86_400;

interface Chart {
  bars: Map<string, number>;
  rows: Map<string, number>;
  title: string;
}

/** The chart `id` of the page: its bars by day, its table's rows by day, and its title. */
function chartOf(body: string, id: string): Chart {
  const start = body.indexOf(`<figcaption id="${id}-caption">`);
  assert.ok(start >= 0, `chart ${id}`);
  const figure = body.slice(start, body.indexOf('</figure>', start));
  const bars = new Map([...figure.matchAll(/<rect [^>]*data-day="([^"]+)" data-value="(\d+)"/g)].map((m) => [m[1]!, Number(m[2])]));
  const rows = new Map([...figure.matchAll(/<tr><td>(\d{4}-\d\d-\d\d)<\/td><td>(\d+)<\/td><\/tr>/g)].map((m) => [m[1]!, Number(m[2])]));
  const title = /<title id="[^"]+">([^<]*)<\/title>/.exec(figure)?.[1] ?? '';
  return { bars, rows, title };
}

for (const dialect of dialects()) {
  describe(`issue 21: the console's Overview (${dialect})`, () => {
    let t: TestApp;
    let browser: Browser;
    let today: number;
    let busy: TestClient;
    let quiet: TestClient;
    let noisy: TestClient;
    const day = (ago: number) => isoDay(today - ago * DAY);

    before(async () => {
      t = await startTestApp({ dialect, env: { THROTTLE_LOGIN_PER_IP: '100000/300' } });
      // Noon of the real day: the 30 days are known and nothing moves across midnight.
      today = Math.floor(t.clock.now() / DAY) * DAY + DAY / 2;
      t.clock.toStartOf(today);
      browser = await signedInOperator(t, await createOperator(t, 'olga@example.com'));
      const people: User[] = [];
      for (const name of ['ann', 'ben', 'cat']) people.push(await createUser(t.deps, `${name}@example.com`, name, { verified: true }));
      busy = await createClient(t.deps, { name: 'Busy Board' });
      quiet = await createClient(t.deps, { name: 'Quiet Quill' });
      noisy = await createClient(t.deps, { name: 'Noisy Notes' });
      const audit = t.deps.stores.audit;
      const signIn = (ago: number) => audit.record({ type: 'user.signed_in', userId: people[0]!.id, detail: { amr: ['pwd'] } }, today - ago * DAY);
      for (const ago of [3, 3, 10, 29, 29, 29, 29, 30, 31]) await signIn(ago);
      await audit.record({ type: 'user.signed_out', userId: people[0]!.id }, today - 3 * DAY);

      const grants = [];
      for (const p of people) grants.push(await t.deps.stores.grants.approve(p.id, busy.clientId, ['openid'], today - 40 * DAY));
      grants.push(await t.deps.stores.grants.approve(people[0]!.id, quiet.clientId, ['openid'], today - 40 * DAY));
      const revoked = await t.deps.stores.grants.approve(people[1]!.id, noisy.clientId, ['openid'], today - 40 * DAY);
      await t.deps.stores.grants.revoke(revoked.id, today - 39 * DAY, today - 39 * DAY);
      const calls = new Map([
        [grants[0]!.id, new Map([[day(0), 5], [day(2), 7], [day(40), 100]])],
        [grants[3]!.id, new Map([[day(2), 1]])],
      ]);
      await t.deps.stores.grantActivity.record({ calls, actions: new Map(), kinds: new Map() }, 5);
      await t.deps.stores.appErrors.add([
        { appId: noisy.clientId, day: day(0), code: 'invalid_client', count: 9 },
        { appId: noisy.clientId, day: day(1), code: 'invalid_grant', count: 2 },
        { appId: busy.clientId, day: day(0), code: 'invalid_grant', count: 4 },
        { appId: quiet.clientId, day: day(1), code: 'invalid_client', count: 50 },
        { appId: quiet.clientId, day: day(45), code: 'invalid_client', count: 500 },
      ]);
    });
    after(() => t?.close());

    it('/admin is the Overview, first in the navigation', async () => {
      const res = await browser.get('/admin');
      assert.equal(res.statusCode, 200);
      assert.match(res.body, /<h1>Overview<\/h1>/);
      assert.match(res.body, /aria-label="Operator console"><a href="\/admin" aria-current="page">Overview<\/a>/);
    });

    it('the sign-ins chart: one bar per UTC day over 30 days, the table the same, empty days zero, older days left out', async () => {
      const { body } = await browser.get('/admin');
      const chart = chartOf(body, 'chart-sign-ins');
      assert.equal(chart.bars.size, 30);
      assert.deepEqual([...chart.bars.keys()], Array.from({ length: 30 }, (_, i) => day(29 - i)), 'oldest first, today last');
      assert.deepEqual(chart.rows, chart.bars, 'the table holds the bars’ numbers');
      assert.equal(chart.bars.get(day(3)), 2);
      assert.equal(chart.bars.get(day(10)), 1);
      assert.equal(chart.bars.get(day(29)), 4);
      assert.equal(chart.bars.get(day(5)), 0);
      assert.ok(!chart.bars.has(day(30)));
      assert.match(chart.title, /^Sign-ins per day: \d+ from /);
      // The tallest bar is the full height; a zero is no height at all.
      assert.match(body, new RegExp(`data-day="${day(29)}"`));
      assert.match(body, new RegExp(`y="0" width="8" height="100" data-day="${day(29)}"`));
      assert.match(body, new RegExp(`height="0" data-day="${day(5)}" data-value="0"`));
    });

    it('API calls and refusals per day, and refusals by code over the window', async () => {
      const { body } = await browser.get('/admin');
      const calls = chartOf(body, 'chart-api-calls');
      assert.deepEqual([calls.bars.get(day(0)), calls.bars.get(day(2)), calls.bars.get(day(1))], [5, 8, 0]);
      assert.equal([...calls.bars.values()].reduce((a, b) => a + b, 0), 13, 'day 40 is outside');
      const refusals = chartOf(body, 'chart-refusals');
      assert.deepEqual([refusals.bars.get(day(0)), refusals.bars.get(day(1)), refusals.bars.get(day(2))], [13, 52, 0]);
      assert.deepEqual(refusals.rows, refusals.bars);
      const codes = [...body.matchAll(/<tr><td><code>([a-z_]+)<\/code><\/td><td>(\d+)<\/td><\/tr>/g)].map((m) => [m[1], Number(m[2])]);
      assert.deepEqual(codes, [
        ['invalid_client', 59],
        ['invalid_grant', 6],
      ]);
    });

    it('the top lists: most people (live grants) and most refusals today, in order, linked to the services', async () => {
      const { body } = await browser.get('/admin');
      const list = (cls: string) => {
        const start = body.indexOf(`<ol class="admin-top ${cls}">`);
        assert.ok(start >= 0, cls);
        const ol = body.slice(start, body.indexOf('</ol>', start));
        return [...ol.matchAll(/<a href="\/admin\/services\/([^"]+)">[^<]+<\/a> <span class="muted">(\d+) /g)].map((m) => [decodeURIComponent(m[1]!), Number(m[2])]);
      };
      assert.deepEqual(list('top-people'), [
        [busy.clientId, 3],
        [quiet.clientId, 1],
      ]);
      assert.deepEqual(list('top-refusals'), [
        [noisy.clientId, 9],
        [busy.clientId, 4],
      ]);
    });

    it('tokens issued: counted per day by the usage recorder at the token endpoint, written in its batch', async () => {
      await t.deps.stores.tokenCounts.add([{ day: day(4), count: 3 }]);
      await t.deps.stores.tokenCounts.add([{ day: day(4), count: 2 }, { day: day(31), count: 7 }]);
      const client = await createClient(t.deps, { name: 'Token Taker', redirectUris: ['https://taker.example/cb'] });
      const user = await createUser(t.deps, 'dan@example.com', 'Dan', { verified: true });
      const tokens = await obtainTokens(t, { client, user, scopes: ['openid', 'offline_access'] });
      assert.equal((await refresh(t, client, tokens.refresh_token)).statusCode, 200);
      const before = chartOf((await browser.get('/admin')).body, 'chart-tokens');
      assert.equal(before.bars.get(day(0)), 0, 'not written until the batch is');
      await t.deps.usage.flush();
      const chart = chartOf((await browser.get('/admin')).body, 'chart-tokens');
      assert.equal(chart.bars.size, 30);
      assert.deepEqual([chart.bars.get(day(0)), chart.bars.get(day(4)), chart.bars.get(day(3))], [2, 5, 0]);
      assert.deepEqual(chart.rows, chart.bars);
    });
  });
}
