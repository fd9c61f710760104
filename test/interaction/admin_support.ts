/**
 * Operators for the console tests (issue 21): a personal account made a platform operator through
 * the accounts service (as `tessera user admin --grant` does), with TOTP turned on through the
 * accounts service too, and a browser signed in with the password and a current code.
 */
import assert from 'node:assert/strict';
import type { TestApp } from '../support/app.ts';
import type { User } from '../../src/domain/users.ts';
import { createUser } from '../support/fixtures.ts';
import { Browser } from '../support/browser.ts';
import { totpCode } from '../../src/crypto/totp.ts';

export interface Operator {
  user: User;
  /** The TOTP secret (base32), or undefined for an operator without a second factor. */
  secret: string | undefined;
}

const CALLER = { ip: '203.0.113.9', userAgent: null };

export async function createOperator(t: TestApp, email: string, options: { totp?: boolean } = {}): Promise<Operator> {
  const user = await createUser(t.deps, email, email.split('@')[0], { verified: true });
  assert.ok(await t.deps.accounts.setPlatformOperator(user, true, { via: 'cli' }));
  if (options.totp === false) return { user: (await t.deps.stores.users.findById(user.id))!, secret: undefined };
  assert.ok(await t.deps.accounts.startTotp(user));
  const secret = (await t.deps.accounts.totpSetupSecret(user))!;
  assert.equal(typeof (await t.deps.accounts.confirmTotp(user, totpCode(secret, t.clock.now()), CALLER)), 'object');
  return { user: (await t.deps.stores.users.findById(user.id))!, secret };
}

/** A fresh TOTP code: moves the clock past the step used last (a step is accepted once). */
export function nextCode(t: TestApp, secret: string): string {
  t.clock.advance(30);
  return totpCode(secret, t.clock.now());
}

/** Signs in with the password, then the code when the account has TOTP; the response to the last step. */
export async function signInOperator(t: TestApp, browser: Browser, operator: Operator) {
  const first = await browser.signIn(operator.user.email);
  assert.equal(first.statusCode, 303);
  if (operator.secret === undefined) return first;
  assert.equal(first.headers.location, '/login/code');
  const done = await browser.submit(await browser.get('/login/code'), /^\/login\/code$/, { code: nextCode(t, operator.secret) });
  assert.equal(done.statusCode, 303, done.body);
  return done;
}

export async function signedInOperator(t: TestApp, operator: Operator): Promise<Browser> {
  const browser = new Browser(t);
  await signInOperator(t, browser, operator);
  return browser;
}

/** The "Next page" link of a console search page (keyset pages), as a path with its query. */
export function nextLink(body: string): string | undefined {
  return /<a href="([^"]+)">Next page<\/a>/.exec(body)?.[1]?.replaceAll('&amp;', '&');
}
