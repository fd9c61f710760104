/**
 * People and apps for tests, created through Tessera's own stores and crypto (never mocked).
 */
import type { Deps } from '../../src/deps.ts';
import type { App } from '../../src/domain/apps.ts';
import type { User } from '../../src/domain/users.ts';
import { hashPassword } from '../../src/crypto/passwords.ts';
import { digest } from '../../src/crypto/digest.ts';
import { randomClientId, randomToken } from '../../src/crypto/random.ts';

export const PASSWORD = 'correct horse battery staple';

/** `verified`: the address counts as proven, as for an operator's account (default: not, as after sign-up). */
export async function createUser(deps: Deps, email: string, name = email.split('@')[0]!, options: { verified?: boolean } = {}): Promise<User> {
  const user = await deps.stores.users.create({ email, name, passwordHash: await hashPassword(PASSWORD), emailVerified: options.verified ?? false }, deps.clock.now());
  if (!user) throw new Error(`user ${email} exists`);
  return user;
}

export interface TestClient {
  app: App;
  clientId: string;
  clientSecret?: string;
}

export async function createClient(
  deps: Deps,
  options: { name?: string; redirectUris?: string[]; postLogoutRedirectUris?: string[]; public?: boolean; scopes?: string[]; clientSecret?: string; spa?: boolean; backchannelLogoutUri?: string; ssfEndpointUrl?: string; websiteUrl?: string } = {},
): Promise<TestClient> {
  const app: App = {
    id: randomClientId(),
    name: options.name ?? 'Test Service',
    description: 'A service used in tests',
    publisher: 'Test Publisher',
    websiteUrl: options.websiteUrl ?? null,
    logoUrl: null,
    redirectUris: options.redirectUris ?? ['https://app.example/cb'],
    ...(options.postLogoutRedirectUris ? { postLogoutRedirectUris: options.postLogoutRedirectUris } : {}),
    clientType: options.public || options.spa ? 'public' : 'confidential',
    // Issue 18: a single-page app is a public client.
    ...(options.spa ? { spa: true } : {}),
    // Issue 19: OpenID Connect Back-Channel Logout 1.0 §2.2.
    ...(options.backchannelLogoutUri ? { backchannelLogoutUri: options.backchannelLogoutUri } : {}),
    ...(options.ssfEndpointUrl ? { ssfEndpointUrl: options.ssfEndpointUrl } : {}),
    scopes: options.scopes ?? ['openid', 'profile', 'email', 'offline_access', 'orgs:read', 'workitems:read', 'workitems:write'],
    ownerUserId: null,
    verified: false,
    createdAt: deps.clock.now(),
  };
  const clientSecret = options.public || options.spa ? undefined : (options.clientSecret ?? randomToken('clientSecret'));
  await deps.stores.apps.create(app, clientSecret === undefined ? undefined : digest(clientSecret), deps.clock.now());
  return { app, clientId: app.id, clientSecret };
}

export interface Parties {
  alice: User;
  /** Confidential clients. */
  c1: TestClient;
  c2: TestClient;
  /** A public client. */
  p1: TestClient;
}

/** The fixture set SECURITY.md's tests name: alice, confidential clients C1 and C2, public client P1. */
export async function createParties(deps: Deps): Promise<Parties> {
  const alice = await createUser(deps, 'alice@example.com');
  return { alice, c1: await createClient(deps), c2: await createClient(deps), p1: await createClient(deps, { public: true }) };
}
