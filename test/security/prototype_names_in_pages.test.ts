/**
 * "A user-chosen name never becomes a key of a plain object" (issue 13): the pages read their
 * notice from `?done=`, and a value named like an Object.prototype member shows no notice at all
 * (it found Object's members before, rendered as an empty notice).
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createUser } from '../support/fixtures.ts';
import { Browser } from '../support/browser.ts';

for (const dialect of dialects()) {
  describe(`pages and prototype-named notices (${dialect})`, () => {
    let t: TestApp;
    let browser: Browser;
    before(async () => {
      t = await startTestApp({ dialect });
      await createUser(t.deps, 'pat@example.com');
      browser = new Browser(t);
      await browser.signIn('pat@example.com');
    });
    after(() => t.close());

    it('?done=constructor, __proto__, toString, hasOwnProperty: 200 and no notice; a real one still shows', async () => {
      for (const path of ['/profile', '/profile/applications', '/orgs']) {
        for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf']) {
          const res = await browser.get(`${path}?done=${name}`);
          assert.equal(res.statusCode, 200, `${path}?done=${name}`);
          assert.doesNotMatch(res.body, /class="notice"/, `${path}?done=${name}`);
        }
      }
      assert.match((await browser.get('/profile?done=name')).body, /<p class="notice" role="status">Your name was saved\.<\/p>/);
    });
  });
}
