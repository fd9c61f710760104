/**
 * Records when grants and client secrets were last used, and what each grant's service called,
 * without a database write per request: uses are kept in memory and written in one batch every
 * few seconds. "Manage applications" and the portal show "last used" to the minute; a commit per
 * API call or token request would cost more than the request itself (bench/README.md).
 * @module
 */
import type { AppStore } from '../domain/apps.ts';
import type { GrantStore } from '../domain/grants.ts';
import { KEPT_ACTIONS, utcDay, type GrantAction, type GrantActivityBatch, type GrantActivityStore } from '../domain/grant_activity.ts';
import type { TokenCountStore } from '../domain/token_counts.ts';
import { SerialWrites } from './serial_writes.ts';

/** Longest path kept for an action: enough for any API route, bounded for hostile ones. */
const MAX_PATH = 200;

export class UsageRecorder {
  private grants = new Map<string, { at: number; ip: string | null }>();
  private secrets = new Map<string, number>();
  /** UTC day → access tokens issued since the last flush (the console's Overview). */
  private tokens = new Map<string, number>();
  private activity: GrantActivityBatch = { calls: new Map(), actions: new Map() };
  private timer: NodeJS.Timeout | undefined;
  private readonly writes = new SerialWrites();

  constructor(
    private readonly stores: { grants: GrantStore; apps: AppStore; grantActivity: GrantActivityStore; tokenCounts: TokenCountStore },
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

  /** An API call answered under a grant: counted for its day, and kept among its latest calls. */
  recordCall(grantId: string, call: Omit<GrantAction, 'at'>): void {
    const at = this.now();
    const day = utcDay(at);
    const days = this.activity.calls.get(grantId) ?? new Map<string, number>();
    days.set(day, (days.get(day) ?? 0) + 1);
    this.activity.calls.set(grantId, days);
    const actions = this.activity.actions.get(grantId) ?? [];
    actions.push({ ...call, path: call.path.slice(0, MAX_PATH), at });
    // A busy service makes thousands of calls between flushes; only the newest few are shown.
    if (actions.length > KEPT_ACTIONS) actions.shift();
    this.activity.actions.set(grantId, actions);
  }

  /** An access token was issued: counted for its UTC day. */
  recordToken(): void {
    const day = utcDay(this.now());
    this.tokens.set(day, (this.tokens.get(day) ?? 0) + 1);
  }

  /** A client authenticated with this secret. */
  recordSecret(secretId: string): void {
    this.secrets.set(secretId, this.now());
  }

  /** Writes what was recorded since the last flush; resolves once it and every earlier batch are written. */
  async flush(): Promise<void> {
    const { grants, secrets, activity, tokens } = this;
    this.grants = new Map();
    this.secrets = new Map();
    this.tokens = new Map();
    this.activity = { calls: new Map(), actions: new Map() };
    await this.writes.run(async () => {
      for (const [grantId, use] of grants) await this.stores.grants.touch(grantId, use.at, use.ip).catch(this.onError);
      for (const [secretId, at] of secrets) await this.stores.apps.markSecretUsed(secretId, at).catch(this.onError);
      if (activity.calls.size > 0) await this.stores.grantActivity.record(activity, KEPT_ACTIONS).catch(this.onError);
      if (tokens.size > 0) await this.stores.tokenCounts.add([...tokens].map(([day, count]) => ({ day, count }))).catch(this.onError);
    });
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flush();
  }
}
