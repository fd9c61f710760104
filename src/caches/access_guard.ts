/**
 * Every process's in-memory view of who belongs to which organization, of each organization's
 * third-party policy, and of whether a person meets an organization's second-factor requirement
 * (issue 16), so the API checks all three on every call without a database read in the common case.
 *
 * Entries are dropped the moment a change is announced on the change feed (`membership` /
 * `org_policy` / `second_factor` events: in-process at once, other processes through PostgreSQL
 * LISTEN/NOTIFY or SQLite's `changes` table), and expire after `ttlSeconds` as a backstop for a
 * lost notification. An entry holds the promise of its load, and an invalidation removes it even
 * while that load is in flight, so a load that raced a change is never kept.
 * @module
 */
import type { Reach, OrganizationStore } from '../domain/organizations.ts';
import type { OrgPolicy } from '../domain/policies.ts';
import type { ChangeEvent, ChangeFeed } from '../persistence/change_feed.ts';
import type { DatabaseHandle } from '../persistence/database.ts';
import { PostgresChangeFeed } from '../persistence/change_feed.ts';

interface Entry<T> {
  loadedAt: number;
  value: Promise<T>;
}

/** A bounded map of loads with a time-to-live; the least recently loaded entry goes first. */
class LoadingCache<T> {
  private readonly entries = new Map<string, Entry<T>>();

  constructor(
    private readonly load: (key: string) => Promise<T>,
    private readonly now: () => number,
    private readonly ttlSeconds: number,
    private readonly maxEntries: number,
  ) {}

  get(key: string): Promise<T> {
    const now = this.now();
    const hit = this.entries.get(key);
    if (hit && now - hit.loadedAt < this.ttlSeconds) return hit.value;
    const entry: Entry<T> = { loadedAt: now, value: this.load(key) };
    this.entries.delete(key);
    this.entries.set(key, entry);
    // A failed load is not cached: the next call tries again.
    entry.value.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    return entry.value;
  }

  invalidate(key: string): void {
    this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}

export interface AccessGuardOptions {
  /** Backstop lifetime of a cached entry. @default 10 */
  ttlSeconds?: number;
  /** @default 50_000 per map */
  maxEntries?: number;
}

/**
 * Whether a person meets a second-factor requirement (services/accounts/second_factor.ts,
 * `meetsSecondFactorRequirement`): read only for organizations that require one.
 */
export type SecondFactorSource = (userId: string) => Promise<boolean>;

export class AccessGuard {
  private readonly reach: LoadingCache<Reach>;
  private readonly policies: LoadingCache<OrgPolicy>;
  private readonly factors: LoadingCache<boolean>;
  /** Database loads, for tests and metrics: the common case must not add to them. */
  loads = 0;

  constructor(store: OrganizationStore, secondFactor: SecondFactorSource, now: () => number, options: AccessGuardOptions = {}) {
    const ttl = options.ttlSeconds ?? 10;
    const max = options.maxEntries ?? 50_000;
    this.reach = new LoadingCache(
      (userId) => {
        this.loads++;
        return store.reachOf(userId);
      },
      now,
      ttl,
      max,
    );
    this.policies = new LoadingCache(
      (orgId) => {
        this.loads++;
        return store.policyOf(orgId);
      },
      now,
      ttl,
      max,
    );
    this.factors = new LoadingCache(
      (userId) => {
        this.loads++;
        return secondFactor(userId);
      },
      now,
      ttl,
      max,
    );
  }

  /** Listens for membership, policy and second-factor changes announced by any node. */
  subscribe(feed: ChangeFeed): void {
    feed.subscribe((event) => this.apply(event));
  }

  apply(event: ChangeEvent): void {
    if (event.type === 'membership') this.reach.invalidate(event.userId);
    else if (event.type === 'org_policy') this.policies.invalidate(event.orgId);
    else if (event.type === 'second_factor') this.factors.invalidate(event.userId);
  }

  reachOf(userId: string): Promise<Reach> {
    return this.reach.get(userId);
  }

  policyOf(orgId: string): Promise<OrgPolicy> {
    return this.policies.get(orgId);
  }

  /** Whether the person meets a second-factor requirement; asked only where an organization has one. */
  meetsSecondFactor(userId: string): Promise<boolean> {
    return this.factors.get(userId);
  }
}

/**
 * Announces a membership or policy change to every node. Servers publish on their own feed; the
 * CLI sends one NOTIFY on PostgreSQL (on SQLite its stores announce their writes on the `changes`
 * table instead: src/cli/context.ts).
 */
export async function announceAccessChange(
  target: { feed: ChangeFeed } | { database: DatabaseHandle },
  event: Extract<ChangeEvent, { type: 'membership' | 'org_policy' }>,
): Promise<boolean> {
  if ('feed' in target) {
    await target.feed.publish(event);
    return true;
  }
  if (!target.database.pool) return false;
  const feed = new PostgresChangeFeed(target.database.pool, {});
  try {
    await feed.publish(event);
  } finally {
    await feed.close();
  }
  return true;
}
