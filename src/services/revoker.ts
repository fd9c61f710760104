/**
 * The one way to revoke: writes the revocation in storage first (a revoke that fails in storage
 * must not report success), then updates this process's cache and tells the others.
 * @module
 */
import type { Narrowing } from '../domain/grants.ts';
import { CAUSES, type EventCause } from '../domain/security_events.ts';
import type { Stores } from '../domain/stores.ts';
import type { ChangeFeed } from '../persistence/change_feed.ts';
import type { RevocationCache } from '../caches/revocation_cache.ts';
import type { Metrics } from '../ops/metrics.ts';

export class Revoker {
  constructor(
    private readonly stores: Stores,
    private readonly cache: RevocationCache,
    private readonly feed: ChangeFeed,
    private readonly metrics: Metrics,
    private readonly now: () => number,
    /** Longest access-token lifetime: a denylist entry is useless after it. */
    private readonly accessTokenTtl: number,
  ) {}

  /**
   * Revokes a grant with its codes, refresh tokens and access tokens; `cause` goes to the app's
   * security event (CAEP §2), `reason` to the metrics. False if it was not live.
   */
  async revokeGrant(grantId: string, reason: string, cause: EventCause = CAUSES.unspecified): Promise<boolean> {
    const now = this.now();
    const expiresAt = now + this.accessTokenTtl;
    const revoked = await this.stores.grants.revoke(grantId, now, expiresAt, cause);
    await this.announce(grantId, 'grant', expiresAt);
    if (revoked) this.metrics.grantsRevoked.inc({ reason });
    return revoked;
  }

  /** Revokes one token family (a code exchange and its refreshes): its refresh and access tokens. */
  async revokeFamily(familyId: string): Promise<void> {
    const now = this.now();
    const expiresAt = now + this.accessTokenTtl;
    await this.stores.tokens.revokeFamily(familyId, now, expiresAt);
    await this.announce(familyId, 'family', expiresAt);
  }

  /** Revokes one access token until it would have expired anyway. */
  async revokeAccessToken(jti: string, exp: number): Promise<void> {
    await this.stores.tokens.revokeAccessToken(jti, this.now(), exp);
    await this.announce(jti, 'token', exp);
  }

  /**
   * Takes scopes or organizations away from a person's grant: the grant changes in storage, and
   * the access tokens already issued under it shrink to match on every node (revocation_cache.ts).
   * False when the grant is not the person's or not live.
   */
  async narrowGrant(grantId: string, userId: string, scopes: string[], orgIds: string[] | null): Promise<boolean> {
    const now = this.now();
    const narrowing: Narrowing = { grantId, scopes, orgIds, narrowedAt: now, expiresAt: now + this.accessTokenTtl };
    if (!(await this.stores.grants.narrow(grantId, userId, scopes, orgIds, now, narrowing.expiresAt))) return false;
    await this.announceNarrowing(narrowing);
    return true;
  }

  /** Applies a narrowing already stored to this process, and tells the others. */
  async announceNarrowing(narrowing: Narrowing): Promise<void> {
    this.cache.addNarrowing(narrowing);
    await this.feed.publish({ type: 'narrowed', narrowing }).catch(() => {});
  }

  private async announce(id: string, kind: 'grant' | 'family' | 'token', expiresAt: number) {
    this.cache.add(id, expiresAt);
    // The row is committed; if the notification fails, the other nodes' poll picks it up.
    await this.feed.publish({ type: 'revoked', id, kind, expiresAt }).catch(() => {});
  }
}
