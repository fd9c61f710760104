/**
 * An in-memory rate limiter keyed by string, for brute-force protection (SECURITY 15, 32).
 *
 * It is the generic cell rate algorithm (GCRA), a token bucket that keeps one number per key: the
 * theoretical arrival time (TAT) of the next event. `count` events fit in a burst into an idle
 * bucket; after that one more fits every `seconds / count`, so the sustained rate is `count` per
 * `seconds` (a single window right after an idle period can see up to twice `count`). An idle key
 * is back to a full burst `seconds` after its last event. Events recorded while over the limit
 * push the TAT further out (debt), so a parallel flood that slipped past `retryAfter` pays for
 * itself afterwards.
 *
 * Memory is bounded: at most `maxKeys` keys (the least recently written is evicted first), keys
 * whose bucket is full again are dropped as they age out, and long keys are stored as their
 * SHA-256 digest. Counters are per process (docs/operators.md, "Throttling").
 * @module
 */
import { digest } from '../crypto/digest.ts';
import type { Clock } from '../clock.ts';
import type { RateLimit } from '../config/config.ts';

/** Keys longer than this are replaced by their digest (43 characters), bounding memory per key. */
const MAX_KEY_LENGTH = 64;
/** Stale entries looked at (from the oldest) on each write: amortised clean-up with no timer. */
const PRUNE_PER_WRITE = 2;

/** Milliseconds since the epoch (the clock's `nowMs`). */
type Ms = number;

/** A map from key to time with a cap on its size; the least recently written key goes first. */
export class BoundedTimes {
  private readonly times = new Map<string, Ms>();

  constructor(private readonly maxKeys: number) {}

  get size(): number {
    return this.times.size;
  }

  get(key: string): Ms | undefined {
    return this.times.get(key);
  }

  /** Writes `key` as the newest entry; drops entries that `isStale` says are done, then the oldest over the cap. */
  set(key: string, value: Ms, isStale: (value: Ms) => boolean): void {
    // Delete first so a rewritten key moves to the end: iteration order is then write order.
    this.times.delete(key);
    this.times.set(key, value);
    let looked = 0;
    for (const [oldKey, oldValue] of this.times) {
      if (looked++ >= PRUNE_PER_WRITE || oldKey === key) break;
      if (isStale(oldValue)) this.times.delete(oldKey);
      else break;
    }
    while (this.times.size > this.maxKeys) {
      const oldest = this.times.keys().next().value as string;
      this.times.delete(oldest);
    }
  }

  delete(key: string): void {
    this.times.delete(key);
  }
}

/** The stored form of a key: itself when short, else its digest. */
export function compactKey(key: string): string {
  return key.length <= MAX_KEY_LENGTH ? key : '#' + digest(key);
}

export class Throttle {
  private readonly tats: BoundedTimes;
  /** Milliseconds one event occupies. */
  private readonly interval: Ms;
  /** How far ahead of now the TAT may be while one more event still fits. */
  private readonly tolerance: Ms;

  constructor(
    private readonly clock: Pick<Clock, 'nowMs'>,
    readonly limit: RateLimit,
    maxKeys = 100_000,
  ) {
    this.interval = (limit.seconds * 1000) / limit.count;
    this.tolerance = limit.seconds * 1000 - this.interval;
    this.tats = new BoundedTimes(maxKeys);
  }

  /** Number of keys held (for tests and metrics). */
  get size(): number {
    return this.tats.size;
  }

  /** Whole seconds until one more event for `key` fits; 0 when it fits now. Reads only. */
  retryAfter(key: string): number {
    const tat = this.tats.get(compactKey(key));
    if (tat === undefined) return 0;
    return waitSeconds(tat - this.clock.nowMs() - this.tolerance);
  }

  /** Records one event for `key`, whether or not it fit (an outcome that already happened). */
  hit(key: string): void {
    const k = compactKey(key);
    const now = this.clock.nowMs();
    this.write(k, Math.max(this.tats.get(k) ?? now, now) + this.interval, now);
  }

  /**
   * Reserves one event for `key` if it fits and returns 0; otherwise records nothing and returns
   * the seconds to wait. Synchronous, so concurrent attempts cannot all pass one check.
   */
  take(key: string): number {
    const k = compactKey(key);
    const now = this.clock.nowMs();
    const tat = Math.max(this.tats.get(k) ?? now, now);
    const wait = waitSeconds(tat - now - this.tolerance);
    if (wait === 0) this.write(k, tat + this.interval, now);
    return wait;
  }

  /** Gives back one event taken for `key` (the attempt succeeded); the key goes once its bucket is full. */
  refund(key: string): void {
    const k = compactKey(key);
    const tat = this.tats.get(k);
    if (tat === undefined) return;
    const now = this.clock.nowMs();
    const back = tat - this.interval;
    if (back <= now) this.tats.delete(k);
    else this.write(k, back, now);
  }

  /**
   * Events `key` may still have right now, and whole seconds until its bucket is full again: the
   * `r` and `t` of a RateLimit header (draft-ietf-httpapi-ratelimit-headers). Reads only.
   */
  quota(key: string): { remaining: number; resetSeconds: number } {
    const now = this.clock.nowMs();
    const tat = Math.max(this.tats.get(compactKey(key)) ?? now, now);
    const remaining = Math.floor((now + this.tolerance - tat) / this.interval) + 1;
    return { remaining: Math.min(this.limit.count, Math.max(0, remaining)), resetSeconds: Math.ceil((tat - now) / 1000) };
  }

  /** Forgets `key` entirely. */
  clear(key: string): void {
    this.tats.delete(compactKey(key));
  }

  private write(key: string, tat: Ms, now: Ms): void {
    // A TAT in the past means a full bucket: the same as no entry.
    this.tats.set(key, tat, (old) => old <= now);
  }
}

function waitSeconds(ms: Ms): number {
  return ms > 0 ? Math.ceil(ms / 1000) : 0;
}

/**
 * Keys seen recently (for example an account and address that signed in successfully), each
 * remembered for `seconds`, at most `maxKeys` of them.
 */
export class RecentKeys {
  private readonly seen: BoundedTimes;

  constructor(
    private readonly clock: Pick<Clock, 'nowMs'>,
    private readonly seconds: number,
    maxKeys = 100_000,
  ) {
    this.seen = new BoundedTimes(maxKeys);
  }

  get size(): number {
    return this.seen.size;
  }

  add(key: string): void {
    const now = this.clock.nowMs();
    this.seen.set(compactKey(key), now + this.seconds * 1000, (until) => until <= now);
  }

  has(key: string): boolean {
    const until = this.seen.get(compactKey(key));
    return until !== undefined && until > this.clock.nowMs();
  }
}
