/**
 * A small platform for API tests: alice owns acme, bob owns globex, one service holds a grant from
 * each of them, and `call` sends JSON with a token, through the real app (inject).
 */
import type { LightMyRequestResponse } from 'fastify';
import type { TestApp } from '../support/app.ts';
import { createClient, createUser, type TestClient } from '../support/fixtures.ts';
import { mintAccessToken } from '../support/tokens.ts';
import type { User } from '../../src/domain/users.ts';
import type { Organization } from '../../src/domain/organizations.ts';
import type { Grant } from '../../src/domain/grants.ts';
import type { OrgAdmin } from '../../src/services/org_admin.ts';

export const ALL = 'openid profile email orgs:read workitems:write';

export interface Platform {
  alice: User;
  bob: User;
  acme: Organization;
  globex: Organization;
  service: TestClient;
  aliceGrant: Grant;
  bobGrant: Grant;
  token(who: 'alice' | 'bob', scope?: string, extra?: Record<string, unknown>): Promise<string>;
  admin(): OrgAdmin;
}

export async function createPlatform(t: TestApp, suffix = ''): Promise<Platform> {
  const alice = await createUser(t.deps, `alice${suffix}@example.com`, 'Alice');
  const bob = await createUser(t.deps, `bob${suffix}@example.com`, 'Bob');
  const now = t.clock.now();
  const acme = (await t.deps.stores.organizations.create({ slug: `acme${suffix}`, name: 'Acme', ownerUserId: alice.id }, now))!;
  const globex = (await t.deps.stores.organizations.create({ slug: `globex${suffix}`, name: 'Globex', ownerUserId: bob.id }, now))!;
  const service = await createClient(t.deps);
  const scopes = ALL.split(' ');
  const aliceGrant = await t.deps.stores.grants.approve(alice.id, service.clientId, scopes, now);
  const bobGrant = await t.deps.stores.grants.approve(bob.id, service.clientId, scopes, now);
  return {
    alice,
    bob,
    acme,
    globex,
    service,
    aliceGrant,
    bobGrant,
    token(who, scope = ALL, extra = {}) {
      const user = who === 'alice' ? alice : bob;
      const grant = who === 'alice' ? aliceGrant : bobGrant;
      return mintAccessToken(t.deps, { sub: user.id, gid: grant.id, client_id: service.clientId, scope, ...extra });
    },
    admin() {
      return { stores: t.deps.stores, announce: { feed: t.deps.feed }, now: t.clock.now(), via: 'test' };
    },
  };
}

export interface CallOptions {
  body?: unknown;
  headers?: Record<string, string>;
  /** Raw payload with its own content type (for 415 / malformed JSON). */
  raw?: { payload: string; contentType: string };
}

export function call(t: TestApp, method: string, path: string, token: string | undefined, options: CallOptions = {}): Promise<LightMyRequestResponse> {
  const headers: Record<string, string> = { ...(token ? { authorization: `Bearer ${token}` } : {}), ...options.headers };
  if (options.raw) {
    headers['content-type'] = options.raw.contentType;
    return t.app.inject({ method: method as 'GET', url: `/api/v1${path}`, headers, payload: options.raw.payload });
  }
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  return t.app.inject({ method: method as 'GET', url: `/api/v1${path}`, headers, ...(options.body !== undefined ? { payload: JSON.stringify(options.body) } : {}) });
}
