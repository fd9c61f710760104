/**
 * Records when grants and client secrets were last used, without a database write per request:
 * uses are kept in memory and written in one batch every few seconds. "Manage applications" and
 * the portal show "last used" to the minute; a commit per API call or token request would cost
 * more than the request itself (bench/README.md).
 * @module
 */
import type { AppStore } from '../domain/apps.ts';
import type { GrantStore } from '../domain/grants.ts';

export class UsageRecorder {
  private grants = new Map<string, { at: number; ip: string | null }>();
  private secrets = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly stores: { grants: GrantStore; apps: AppStore },
    private readonly now: () => number,
    private readonly onError: (err: unknown) => void,
  ) {}

  start(intervalMs: number): void {
    this.timer = setInterval(() => void this.flush(), intervalMs);
    this.timer.unref();
  }

  /** A grant acted (an API call, a token issued under it). */
  recordGrant(grantId: string, ip: string | null): void {
    this.grants.set(grantId, { at: this.now(), ip });
  }

  /** A client authenticated with this secret. */
  recordSecret(secretId: string): void {
    this.secrets.set(secretId, this.now());
  }

  /** Writes what was recorded since the last flush. */
  async flush(): Promise<void> {
    const grants = this.grants;
    const secrets = this.secrets;
    this.grants = new Map();
    this.secrets = new Map();
    for (const [grantId, use] of grants) await this.stores.grants.touch(grantId, use.at, use.ip).catch(this.onError);
    for (const [secretId, at] of secrets) await this.stores.apps.markSecretUsed(secretId, at).catch(this.onError);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flush();
  }
}
