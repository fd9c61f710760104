/** Dynamic Client Registration (RFC 7591) as a test drives it: POST /register with an initial access token of its own. */
import type { TestApp } from './app.ts';
import type { Response } from './browser.ts';
import { digest } from '../../src/crypto/digest.ts';
import { randomToken } from '../../src/crypto/random.ts';

/** Registers `metadata` (JSON, sent as is) with a fresh single-use initial access token; the server's answer. */
export async function registerClient(t: TestApp, metadata: Record<string, unknown>): Promise<Response> {
  const token = randomToken('initialAccessToken');
  await t.deps.stores.apps.createRegistrationToken({ digest: digest(token), kind: 'initial', appId: null, expiresAt: null }, t.clock.now());
  return t.app.inject({
    method: 'POST',
    url: '/register',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    payload: JSON.stringify(metadata),
  });
}
