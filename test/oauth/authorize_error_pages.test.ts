/**
 * The /authorize errors that cannot go back to the service (RFC 6749 §4.1.2.1: an unknown client
 * or an unverified redirect URI MUST NOT be redirected to), as a person reads them (issue 20): a
 * plain headline, the next step naming the service when it is known (its website linked when it
 * registered one), and the protocol's code and description folded below for its developer.
 * Always 400 (403 for a suspended service), never a Location header.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dialects, startTestApp, type TestApp } from '../support/app.ts';
import { createClient, type TestClient } from '../support/fixtures.ts';
import { Browser, authorizeUrl, codeRequest, type Response } from '../support/browser.ts';
import { suspendApp } from '../../src/services/app_suspensions.ts';

const REDIRECT = 'https://planner.example/cb';

interface ErrorPage {
  headline: string | undefined;
  next: string | undefined;
  /** The developer section's error code and description. */
  error: string | undefined;
  description: string | undefined;
}

function read(res: Response, status = 400): ErrorPage {
  assert.equal(res.statusCode, status, res.body.slice(0, 800));
  assert.equal(res.headers.location, undefined, 'never a redirect');
  assert.match(String(res.headers['content-type']), /^text\/html/);
  const details = /<details class="developer-detail"><summary>For the service’s developer<\/summary><dl class="facts"><dt>error<\/dt><dd><code>([^<]*)<\/code><\/dd><dt>error_description<\/dt><dd>([^<]*)<\/dd>/.exec(res.body);
  return {
    headline: /<h1>([^<]*)<\/h1>/.exec(res.body)?.[1],
    next: /<p id="next-step">(.*?)<\/p>/.exec(res.body)?.[1],
    error: details?.[1],
    description: details?.[2],
  };
}

for (const dialect of dialects()) {
  describe(`/authorize error pages in plain words (${dialect})`, () => {
    let t: TestApp;
    let planner: TestClient;
    let bare: TestClient;
    let browser: Browser;

    before(async () => {
      t = await startTestApp({ dialect });
      planner = await createClient(t.deps, { name: 'Sprint Planner', redirectUris: [REDIRECT], websiteUrl: 'https://planner.example/' });
      bare = await createClient(t.deps, { name: 'Board <Sync> & Co', redirectUris: ['https://board.example/a', 'https://board.example/b'] });
      browser = new Browser(t);
    });
    after(() => t.close());

    const send = (params: Record<string, string>) => browser.get(authorizeUrl(params));
    const UNKNOWN_NEXT = 'Go back to the page you came from and try again.';

    it('an unknown client: the link is broken, back to where you came from; invalid_client for the developer', async () => {
      const page = read(await send(codeRequest('no-such-client', REDIRECT).params));
      assert.deepEqual(page, { headline: 'This link is broken', next: UNKNOWN_NEXT, error: 'invalid_client', description: 'The client is unknown.' });
    });

    it('no client_id at all: the same', async () => {
      const { params } = codeRequest('x', REDIRECT);
      delete (params as Partial<typeof params>).client_id;
      assert.deepEqual(read(await send(params)), { headline: 'This link is broken', next: UNKNOWN_NEXT, error: 'invalid_client', description: 'The client is unknown.' });
    });

    it('an unregistered redirect_uri names the service and links its website; the developer sees invalid_request', async () => {
      const page = read(await send(codeRequest(planner.clientId, 'https://evil.example/cb').params));
      assert.equal(page.headline, 'This link is broken');
      assert.equal(page.next, 'Go back to <a href="https://planner.example/">Sprint Planner</a> and try again.');
      assert.equal(page.error, 'invalid_request');
      assert.equal(page.description, 'The redirect_uri is missing, repeated, or not registered for this client.');
    });

    it('no redirect_uri with several registered names a service without a website in bold, its name escaped', async () => {
      const { params } = codeRequest(bare.clientId, 'unused');
      delete (params as Partial<typeof params>).redirect_uri;
      const res = await send(params);
      const page = read(res);
      assert.equal(page.headline, 'This link is broken');
      assert.equal(page.next, 'Go back to <strong>Board &lt;Sync> &amp; Co</strong> and try again.');
      assert.doesNotMatch(res.body, /<Sync>/, 'a registered name is text, never markup');
      assert.equal(page.error, 'invalid_request');
    });

    it('an OpenID Connect request without redirect_uri (OIDC Core §3.1.2.1) names the service too', async () => {
      const { params } = codeRequest(planner.clientId, 'unused', { scope: 'openid' });
      delete (params as Partial<typeof params>).redirect_uri;
      const page = read(await send(params));
      assert.equal(page.headline, 'This link is broken');
      assert.match(page.next ?? '', /Sprint Planner<\/a> and try again\.$/);
    });

    it('a repeated redirect_uri is refused before any client is trusted: no name', async () => {
      const { params } = codeRequest(planner.clientId, REDIRECT);
      const res = await browser.get(`${authorizeUrl(params)}&redirect_uri=${encodeURIComponent('https://evil.example/cb')}`);
      const page = read(res);
      assert.deepEqual([page.headline, page.next, page.error], ['This link is broken', UNKNOWN_NEXT, 'invalid_request']);
      assert.doesNotMatch(res.body, /Sprint Planner/);
    });

    it('a state too long to send back: the link is broken, invalid_request for the developer', async () => {
      const page = read(await send(codeRequest(planner.clientId, REDIRECT, { state: 's'.repeat(5000) }).params));
      assert.deepEqual([page.headline, page.error], ['This link is broken', 'invalid_request']);
      assert.equal(page.description, 'The request is missing a parameter, repeats one, or is otherwise malformed.');
    });

    it('a suspended service: 403, unavailable, and no "try again"', async () => {
      const shady = await createClient(t.deps, { name: 'Shady', redirectUris: [REDIRECT] });
      assert.equal((await suspendApp(t.deps, shady.clientId, 'reason', t.clock.now(), { via: 'cli' })).kind, 'suspended');
      const page = read(await send(codeRequest(shady.clientId, REDIRECT).params), 403);
      assert.deepEqual(page, { headline: 'This service is unavailable', next: 'Go back to the page you came from.', error: 'access_denied', description: 'This service has been suspended by the platform.' });
    });

    it('the page title is the headline, and the developer section is folded (a <details> without open)', async () => {
      const res = await send(codeRequest('no-such-client', REDIRECT).params);
      assert.match(res.body, /<title>This link is broken · Tessera<\/title>/);
      assert.match(res.body, /<details class="developer-detail">/);
      assert.doesNotMatch(res.body, /<details[^>]* open/);
    });
  });
}
