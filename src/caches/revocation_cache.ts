/**
 * Every process's in-memory denylist of revoked grants, token families and access-token ids, and
 * of grants their person narrowed (scopes or organizations taken away). The API checks each
 * access token against it with no database read. It is filled at start, updated at once by the
 * change feed, and re-synchronised by a poll, so a revoke or a narrowing on any node is enforced
 * on every node within one poll interval even if a notification is lost.
 * @module
 */
import type { GrantStore, Narrowing } from '../domain/grants.ts';
import type { RevocationStore } from '../domain/tokens.ts';
import type { ChangeFeed } from '../persistence/change_feed.ts';

export class RevocationCache {
  /** id → expiry (epoch seconds): after it, no token that could match is still valid. */
  private readonly revoked = new Map<string, number>();
  /** grant id → what it still allows, for access tokens issued before the narrowing. */
  private readonly narrowed = new Map<string, Narrowing>();
  private lastSync = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: RevocationStore & Pick<GrantStore, 'listNarrowingsSince'>,
    private readonly now: () => number,
    private readonly onError: (err: unknown) => void,
  ) {}

  async start(feed: ChangeFeed, intervalMs: number): Promise<void> {
    feed.subscribe((event) => {
      if (event.type === 'revoked') this.add(event.id, event.expiresAt);
      if (event.type === 'narrowed') this.addNarrowing(event.narrowing);
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
    const [revocations, narrowings] = await Promise.all([this.store.listSince(since, now), this.store.listNarrowingsSince(since, now)]);
    for (const r of revocations) this.add(r.id, r.expiresAt);
    for (const n of narrowings) this.addNarrowing(n);
    this.lastSync = now;
    for (const [id, expiresAt] of this.revoked) if (expiresAt <= now) this.revoked.delete(id);
    for (const [id, n] of this.narrowed) if (n.expiresAt <= now) this.narrowed.delete(id);
  }

  /** Keeps the latest narrowing of a grant (a later one replaces an earlier one). */
  addNarrowing(narrowing: Narrowing): void {
    const known = this.narrowed.get(narrowing.grantId);
    if (!known || known.narrowedAt <= narrowing.narrowedAt) this.narrowed.set(narrowing.grantId, narrowing);
  }

  /**
   * What the grant allows now, for an access token issued at `issuedAt`; undefined when the token
   * was issued after the grant's last narrowing (its claims already say it). The same second
   * counts as before: a token cannot be shown to postdate an edit within its second.
   */
  narrowingFor(grantId: string, issuedAt: number): Narrowing | undefined {
    const narrowing = this.narrowed.get(grantId);
    return narrowing && issuedAt <= narrowing.narrowedAt ? narrowing : undefined;
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
