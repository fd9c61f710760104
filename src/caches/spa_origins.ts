/**
 * Each process's set of the origins of every single-page app's redirect URIs (issue 18). A CORS
 * preflight carries no body, so no client_id: it can only be decided from its `Origin`, and is
 * answered for an origin some single-page app registered (draft-ietf-oauth-browser-based-apps
 * §6.3.3.4: "approve a known origin during the preflight"); the actual request is then checked
 * against the one app it names (http/cors.ts).
 *
 * Every app write goes through `announcingAppStore`, which publishes an `app` event: the set is
 * dropped at once in this process and, through the change feed, in the others, and read again at
 * the next preflight. A short time-to-live is the backstop
 * for a lost notification, as for the client cache.
 * @module
 */
import type { AppStore } from '../domain/apps.ts';
import type { ChangeFeed } from '../persistence/change_feed.ts';
import { originsOf } from '../domain/spa.ts';

export class SpaOrigins {
  private loaded: { at: number; origins: Promise<ReadonlySet<string>> } | undefined;
  /** Database reads, for tests: a repeated preflight must not add to them. */
  loads = 0;

  constructor(
    private readonly store: Pick<AppStore, 'listSpaRedirectUris'>,
    private readonly now: () => number,
    private readonly ttlSeconds = 30,
  ) {}

  subscribe(feed: ChangeFeed): void {
    feed.subscribe((event) => {
      if (event.type === 'app') this.invalidate();
    });
  }

  /** True when `origin` is the origin of a redirect URI of some single-page app. */
  async has(origin: string): Promise<boolean> {
    const now = this.now();
    if (!this.loaded || now - this.loaded.at >= this.ttlSeconds) this.loaded = this.load(now);
    return (await this.loaded.origins).has(origin);
  }

  /** Drops the set; a load in flight is dropped with it, so what raced a write is never kept. */
  invalidate(): void {
    this.loaded = undefined;
  }

  private load(now: number): { at: number; origins: Promise<ReadonlySet<string>> } {
    this.loads++;
    const entry = { at: now, origins: this.store.listSpaRedirectUris().then((uris) => new Set(originsOf(uris)) as ReadonlySet<string>) };
    // A failed load (database down) is not kept: the next preflight reads again.
    entry.origins.catch(() => {
      if (this.loaded === entry) this.loaded = undefined;
    });
    return entry;
  }
}
