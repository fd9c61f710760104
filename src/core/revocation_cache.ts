/**
 * Every process's in-memory denylist of revoked grants, token families and access-token ids.
 * The API checks each access token against it with no database read. It is filled at start,
 * updated at once by the change feed, and re-synchronised by a poll, so a revoke on any node is
 * enforced on every node within one poll interval even if a notification is lost.
 * @module
 */
import type { RevocationStore } from '../domain/tokens.ts';
import type { ChangeFeed } from '../persistence/change_feed.ts';

export class RevocationCache {
  /** id → expiry (epoch seconds): after it, no token that could match is still valid. */
  private readonly revoked = new Map<string, number>();
  private lastSync = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: RevocationStore,
    private readonly now: () => number,
    private readonly onError: (err: unknown) => void,
  ) {}

  async start(feed: ChangeFeed, intervalMs: number): Promise<void> {
    feed.subscribe((event) => {
      if (event.type === 'revoked') this.add(event.id, event.expiresAt);
    });
    await this.sync();
    this.timer = setInterval(() => {
      this.sync().catch(this.onError);
    }, intervalMs);
    this.timer.unref();
  }

  /** Reads revocations recorded since the last sync (with a margin for commits that landed late). */
  async sync(): Promise<void> {
    const now = this.now();
    const since = this.lastSync === 0 ? 0 : this.lastSync - 10;
    for (const r of await this.store.listSince(since, now)) this.add(r.id, r.expiresAt);
    this.lastSync = now;
    for (const [id, expiresAt] of this.revoked) if (expiresAt <= now) this.revoked.delete(id);
  }

  add(id: string, expiresAt: number): void {
    this.revoked.set(id, Math.max(expiresAt, this.revoked.get(id) ?? 0));
  }

  /** True when any of the ids (grant, family, jti of one token) has been revoked. */
  isRevoked(...ids: string[]): boolean {
    return ids.some((id) => this.revoked.has(id));
  }

  get size(): number {
    return this.revoked.size;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
