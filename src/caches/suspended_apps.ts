/**
 * Every process's in-memory view of suspended apps (issue 21, the kill switch), so every entry
 * point asks "is this client suspended" with no database read: the API's bearer check, /userinfo
 * and /introspect (services/access_tokens.ts), /token, client authentication, /authorize, the
 * code issuer and the device flow. Loaded in full at start (the table holds one row per app ever
 * suspended: a handful), updated at once by the change feed (`app_suspension` events: in-process
 * at once, other processes through PostgreSQL LISTEN/NOTIFY or SQLite's `changes` table), and
 * re-synchronised by a poll as the backstop for a lost notification, as revocations are.
 *
 * A lifted suspension stays in the map: access tokens issued up to it stay refused.
 * @module
 */
import { suspensionRefusal, type AppSuspension, type AppSuspensionStore, type SuspensionRefusal } from '../domain/app_suspensions.ts';
import type { ChangeFeed } from '../persistence/change_feed.ts';

export class SuspendedApps {
  private readonly byApp = new Map<string, AppSuspension>();
  private lastSync = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: Pick<AppSuspensionStore, 'listChangedSince'>,
    private readonly now: () => number,
    private readonly onError: (err: unknown) => void,
  ) {}

  async start(feed: ChangeFeed, intervalMs: number): Promise<void> {
    this.subscribe(feed);
    await this.sync();
    this.timer = setInterval(() => {
      this.sync().catch(this.onError);
    }, intervalMs);
    this.timer.unref();
  }

  private subscribe(feed: ChangeFeed): void {
    feed.subscribe((event) => {
      if (event.type === 'app_suspension') this.apply(event.suspension);
    });
  }

  /** Reads rows changed since the last sync (with a margin for commits that landed late). */
  async sync(): Promise<void> {
    const now = this.now();
    const since = this.lastSync === 0 ? 0 : this.lastSync - 10;
    for (const row of await this.store.listChangedSince(since)) this.apply(row);
    this.lastSync = now;
  }

  /** Keeps the latest state of an app's suspension (an older event never replaces a newer row). */
  apply(suspension: AppSuspension): void {
    const known = this.byApp.get(suspension.appId);
    if (known && known.changedAt > suspension.changedAt) return;
    this.byApp.set(suspension.appId, suspension);
  }

  /** The suspension that holds for the app, if one does. */
  holding(appId: string): AppSuspension | undefined {
    const s = this.byApp.get(appId);
    return s && s.liftedAt === null ? s : undefined;
  }

  isSuspended(appId: string): boolean {
    return this.holding(appId) !== undefined;
  }

  /** Why an access token of the app issued at `issuedAt` is refused, if it is. */
  refusalFor(appId: string, issuedAt: number): SuspensionRefusal | undefined {
    return suspensionRefusal(this.byApp.get(appId), issuedAt);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}

/** The suspension store every writer uses: each suspend or lift announces the row once it has committed. */
export function announcingSuspensionStore(store: AppSuspensionStore, feed: ChangeFeed): AppSuspensionStore {
  const wrapped = Object.create(store) as AppSuspensionStore;
  wrapped.suspend = async (appId, reason, now, event) => {
    const suspension = await store.suspend(appId, reason, now, event);
    if (suspension) await feed.publish({ type: 'app_suspension', suspension });
    return suspension;
  };
  wrapped.lift = async (appId, now, event) => {
    const suspension = await store.lift(appId, now, event);
    if (suspension) await feed.publish({ type: 'app_suspension', suspension });
    return suspension;
  };
  return wrapped;
}
