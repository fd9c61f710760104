/**
 * Each process's cache of what client authentication at /token reads: the app and the digests of
 * its live secrets. Without it every token request made one more database read than the grant
 * itself needs (docs/performance.md).
 *
 * SECURITY 15/16: a revoked secret must be refused at once on every node. Every write to an app or
 * its secrets goes through `announcingAppStore`, which publishes an `app` event on the change feed
 * after the write: this process drops the entry at once, other processes when PostgreSQL delivers
 * the NOTIFY (milliseconds). An entry is dropped even while its load is in flight, so a load that
 * raced a write is never kept. A short time-to-live is the backstop for a lost notification or a
 * writer without a feed. Secret expiry is re-checked on every use, so an expired secret never
 * works from the cache. Unknown client ids are cached too (bounded), so a known id with a wrong
 * secret and an unknown id cost the same after the first try.
 *
 * Endpoints that must fail closed while the database is down (/introspect, /revoke; SECURITY R3)
 * read fresh instead: see authenticateClient's `cached` option.
 * @module
 */
import type { App, AppSecret, AppStore } from '../../domain/apps.ts';
import type { ChangeFeed } from '../../persistence/change_feed.ts';

export interface ClientCredentials {
  app: App;
  secrets: AppSecret[];
}

interface Entry {
  loadedAt: number;
  value: Promise<ClientCredentials | undefined>;
}

export interface ClientCacheOptions {
  /** Backstop lifetime of an entry, seconds. @default 30 */
  ttlSeconds?: number;
  /** @default 10_000 */
  maxEntries?: number;
}

export class ClientCache {
  private readonly entries = new Map<string, Entry>();
  private readonly ttlSeconds: number;
  private readonly maxEntries: number;
  /** Database reads, for tests: a repeated client must not add to them. */
  loads = 0;

  constructor(
    private readonly store: Pick<AppStore, 'findWithLiveSecrets'>,
    private readonly now: () => number,
    options: ClientCacheOptions = {},
  ) {
    this.ttlSeconds = options.ttlSeconds ?? 30;
    this.maxEntries = options.maxEntries ?? 10_000;
  }

  subscribe(feed: ChangeFeed): void {
    feed.subscribe((event) => {
      if (event.type === 'app') this.invalidate(event.appId);
    });
  }

  /** The app and its secrets live at `now`, from the cache when fresh. */
  async get(clientId: string): Promise<ClientCredentials | undefined> {
    const now = this.now();
    let entry = this.entries.get(clientId);
    if (!entry || now - entry.loadedAt >= this.ttlSeconds) {
      entry = this.load(clientId, now);
    }
    const found = await entry.value;
    if (!found) return undefined;
    return { app: found.app, secrets: found.secrets.filter((s) => s.expiresAt === null || s.expiresAt > now) };
  }

  /** A fresh read, bypassing (and refreshing) the cache. */
  async fresh(clientId: string): Promise<ClientCredentials | undefined> {
    return this.load(clientId, this.now()).value;
  }

  invalidate(clientId: string): void {
    this.entries.delete(clientId);
  }

  get size(): number {
    return this.entries.size;
  }

  private load(clientId: string, now: number): Entry {
    this.loads++;
    const entry: Entry = { loadedAt: now, value: this.store.findWithLiveSecrets(clientId, now) };
    this.entries.delete(clientId);
    this.entries.set(clientId, entry);
    // A failed load (database down) is not kept: the next request reads again.
    entry.value.catch(() => {
      if (this.entries.get(clientId) === entry) this.entries.delete(clientId);
    });
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    return entry;
  }
}

/**
 * The app store every writer in this process uses: each write that changes what client
 * authentication reads announces the app on the change feed once it has committed.
 */
export function announcingAppStore(store: AppStore, feed: ChangeFeed): AppStore {
  const announce = (appId: string) => feed.publish({ type: 'app', appId });
  const wrapped = Object.create(store) as AppStore;
  wrapped.create = async (app, secretDigest, now) => {
    await store.create(app, secretDigest, now);
    await announce(app.id);
  };
  wrapped.update = async (app, now) => {
    await store.update(app, now);
    await announce(app.id);
  };
  wrapped.setVerified = async (appId, verified) => {
    const changed = await store.setVerified(appId, verified);
    await announce(appId);
    return changed;
  };
  wrapped.addSecret = async (appId, secretDigest, expiresAt, maxLive, now) => {
    const id = await store.addSecret(appId, secretDigest, expiresAt, maxLive, now);
    await announce(appId);
    return id;
  };
  wrapped.revokeSecret = async (appId, secretId, now) => {
    const revoked = await store.revokeSecret(appId, secretId, now);
    await announce(appId);
    return revoked;
  };
  wrapped.delete = async (appId) => {
    await store.delete(appId);
    await announce(appId);
  };
  return wrapped;
}
