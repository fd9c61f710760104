/**
 * Counts the errors Tessera answers to each app (token endpoint, platform API) per UTC day and
 * error code, for the usage panel of the developer portal (issue 5). Like usage_recorder.ts, it
 * costs no database write per request: counts add up in memory and are written in one batch every
 * few seconds, so a client hammering a wrong secret costs a Map update, not a commit.
 * @module
 */
import type { AppErrorCount, AppErrorStore } from '../domain/app_errors.ts';
import { isoDay } from '../domain/app_errors.ts';
import { SerialWrites } from './serial_writes.ts';

/**
 * Distinct (app, day, code) keys held between two flushes. Client ids at the token endpoint are
 * as presented, so made-up ones must not grow memory without bound; beyond this they are dropped
 * (the store drops unknown apps anyway).
 */
export const MAX_PENDING_KEYS = 10000;

export class ErrorCounter {
  private pending = new Map<string, AppErrorCount>();
  private timer: NodeJS.Timeout | undefined;
  private readonly writes = new SerialWrites();
  /** Counts dropped because the batch was full; reported with the next flush. */
  private dropped = 0;

  constructor(
    private readonly store: AppErrorStore,
    private readonly now: () => number,
    private readonly onError: (err: unknown) => void,
  ) {}

  start(intervalMs: number): void {
    this.timer = setInterval(() => void this.flush(), intervalMs);
    this.timer.unref();
  }

  /** One error answered to this app. */
  record(appId: string, code: string): void {
    const day = isoDay(this.now());
    const key = `${appId}\n${day}\n${code}`;
    const entry = this.pending.get(key);
    if (entry) entry.count += 1;
    else if (this.pending.size < MAX_PENDING_KEYS) this.pending.set(key, { appId, day, code, count: 1 });
    else this.dropped += 1;
  }

  /** Writes what was counted since the last flush; resolves once it and every earlier batch are written. */
  async flush(): Promise<void> {
    const batch = [...this.pending.values()];
    this.pending = new Map();
    if (this.dropped > 0) {
      this.onError(new Error(`error counts: ${this.dropped} dropped, more than ${MAX_PENDING_KEYS} distinct keys in one batch`));
      this.dropped = 0;
    }
    await this.writes.run(() => this.store.add(batch).catch(this.onError));
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flush();
  }
}

/** The process's counter, flushing every 5 s; its last flush is queued in `cleanups` (before the database closes). */
export function startErrorCounter(
  store: AppErrorStore,
  now: () => number,
  onError: (err: unknown) => void,
  cleanups: (() => Promise<void> | void)[],
): ErrorCounter {
  const counter = new ErrorCounter(store, now, onError);
  counter.start(5000);
  cleanups.push(() => counter.stop());
  return counter;
}
