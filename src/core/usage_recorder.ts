/**
 * Records when each grant was last used, and from where, without a database write per API call:
 * uses are kept in memory and written in one batch every few seconds ("Manage applications" shows
 * "last used" to the minute, not the millisecond).
 * @module
 */
import type { GrantStore } from '../domain/grants.ts';

export class UsageRecorder {
  private pending = new Map<string, { at: number; ip: string | null }>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly grants: GrantStore,
    private readonly now: () => number,
    private readonly onError: (err: unknown) => void,
  ) {}

  start(intervalMs: number): void {
    this.timer = setInterval(() => void this.flush(), intervalMs);
    this.timer.unref();
  }

  record(grantId: string, ip: string | null): void {
    this.pending.set(grantId, { at: this.now(), ip });
  }

  async flush(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    for (const [grantId, use] of batch) {
      await this.grants.touch(grantId, use.at, use.ip).catch(this.onError);
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flush();
  }
}
