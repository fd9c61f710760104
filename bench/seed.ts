/**
 * Seeding Tessera through its own modules, in the bench process, on the database the server uses:
 * a person, a confidential client, a grant, and authorization codes stored exactly as the
 * authorization endpoint stores them (src/oauth/authorize/issue_code.ts).
 * @module
 */
import type { Deps } from '../src/deps.ts';
import type { App } from '../src/domain/apps.ts';
import { hashPassword } from '../src/crypto/passwords.ts';
import { digest } from '../src/crypto/digest.ts';
import { verifyS256 } from '../src/crypto/pkce.ts';
import { randomId, randomToken } from '../src/crypto/random.ts';
import { CLIENT, EMAIL, PASSWORD, VERIFIER } from './lib/reference_client.ts';
import { createHash } from 'node:crypto';

export const SCOPES = ['openid', 'profile', 'email', 'offline_access', 'orgs:read', 'workitems:read'];

/**
 * People with a grant each. Codes go round-robin over them, as the reference spreads its codes over
 * grants: a grant is one person's, and many people use a client at once in production, so one
 * grant row taking every write would measure a contention that does not happen there.
 */
export const PEOPLE = Number(process.env.BENCH_PEOPLE ?? 100);

/**
 * `BENCH_REQUIRE_SECOND_FACTOR=1`: the organization of scenario 1 requires a second factor (issue
 * 16) and its owner has one (a passkey row), so the API read also passes the cached second-factor
 * check. Scenario (7), a password sign-in, would then stop at the second step: measure it without.
 */
const REQUIRE_SECOND_FACTOR = process.env.BENCH_REQUIRE_SECOND_FACTOR === '1';

export interface Seeded {
  clientId: string;
  /** people[0] is EMAIL, the one who signs in. */
  people: { userId: string; grantId: string }[];
  /** The API path of one work item people[0] may read (scenario 1). */
  workItemPath: string;
}

export async function seed(deps: Deps): Promise<Seeded> {
  const now = deps.clock.now();
  // One argon2id hash for everyone: they share the password, and hashing 100 times would only slow seeding.
  const passwordHash = await hashPassword(PASSWORD);
  const users = [];
  for (let i = 0; i < PEOPLE; i++) {
    const email = i === 0 ? EMAIL : `person${i}@example.com`;
    const user = await deps.stores.users.create({ email, name: `Person ${i}`, passwordHash }, now);
    if (!user) throw new Error(`seed user ${email} exists`);
    users.push(user);
  }
  const app: App = {
    id: randomId(),
    name: 'Bench Service',
    description: 'The confidential client of the benchmark',
    publisher: 'Bench',
    websiteUrl: null,
    logoUrl: null,
    redirectUris: [CLIENT.redirectUri],
    clientType: 'confidential',
    scopes: SCOPES,
    ownerUserId: null,
    verified: false,
    createdAt: now,
  };
  await deps.stores.apps.create(app, digest(CLIENT.secret), now);
  const people = [];
  for (const user of users) people.push({ userId: user.id, grantId: (await deps.stores.grants.approve(user.id, app.id, SCOPES, now)).id });
  return { clientId: app.id, people, workItemPath: await seedWorkItem(deps, users[0]!.id, now) };
}

/** An organization owned by the person who signs in, a project and one work item in it (scenario 1). */
async function seedWorkItem(deps: Deps, ownerId: string, now: number): Promise<string> {
  const org = await deps.stores.organizations.create({ slug: 'bench', name: 'Bench', ownerUserId: ownerId }, now);
  if (!org) throw new Error('seed organization exists');
  if (REQUIRE_SECOND_FACTOR) {
    await deps.stores.organizations.setRequireSecondFactor(org.id, true, now);
    const passkey = { id: randomId(), userId: ownerId, userHandle: randomId(), publicKey: 'bench', counter: 0, transports: [], backupEligible: false, backedUp: false, name: 'Bench', aaguid: null, createdAt: now, lastUsedAt: null };
    await deps.stores.passkeys.add(passkey, { type: 'user.passkey_added', userId: ownerId, detail: { name: 'Bench' } });
  }
  const project = await deps.stores.projects.create({ orgId: org.id, key: 'load', name: 'Load', description: 'Benchmark project' }, now);
  if (!project) throw new Error('seed project exists');
  const item = await deps.stores.workItems.create(
    project.id,
    { title: 'Measure the API', type: 'task', state: 'active', assigneeId: null, description: 'Read by scenario 1.', createdBy: ownerId },
    now,
  );
  return `/api/v1/orgs/bench/projects/load/workitems/${item.number}`;
}

const CHALLENGE = createHash('sha256').update(VERIFIER).digest('base64url');

/** `n` codes for the seeded grant, `parallel` inserts at a time (PostgreSQL round trips overlap). */
export async function mintCodes(deps: Deps, seeded: Seeded, n: number, parallel = 16): Promise<string[]> {
  if (!verifyS256(VERIFIER, CHALLENGE)) throw new Error('PKCE pair does not verify');
  const codes: string[] = [];
  const now = deps.clock.now();
  let next = 0;
  const one = async () => {
    const person = seeded.people[next++ % seeded.people.length]!;
    const code = randomToken('authorizationCode');
    await deps.stores.tokens.createCode({
      id: digest(code),
      appId: seeded.clientId,
      userId: person.userId,
      grantId: person.grantId,
      familyId: randomId(),
      redirectUri: CLIENT.redirectUri,
      scopes: SCOPES,
      codeChallenge: CHALLENGE,
      nonce: null,
      authTime: now,
      amr: ['pwd'],
      createdAt: now,
      expiresAt: now + deps.config.ttl.authorizationCode,
      consumedAt: null,
    });
    codes.push(code);
  };
  for (let done = 0; done < n; done += parallel) {
    await Promise.all(Array.from({ length: Math.min(parallel, n - done) }, one));
  }
  return codes;
}
