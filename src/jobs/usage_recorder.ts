/**
 * Records when grants and client secrets were last used, and what each grant's service called,
 * without a database write per request: uses are kept in memory and written in one batch every
 * few seconds. "Manage applications" and the portal show "last used" to the minute; a commit per
 * API call or token request would cost more than the request itself (bench/README.md).
 * @module
 */
import type { AppStore } from '../domain/apps.ts';
import type { GrantStore } from '../domain/grants.ts';
import { KEPT_ACTIONS, callKindKey, utcDay, type GrantActivityBatch, type GrantActivityStore } from '../domain/grant_activity.ts';
import type { TokenCountStore } from '../domain/token_counts.ts';
import { SerialWrites } from './serial_writes.ts';

/** Longest path kept for an action: enough for any API route, bounded for hostile ones. */
const MAX_PATH = 200;

/** An API call answered under a grant (api/bearer.ts). */
export interface ApiCall {
  method: string;
  /** The path called, without its query. */
  path: string;
  /** The route's pattern, or '' when no route matched. */
  route: string;
  /** The organization named in the path (the `:org` parameter), if any. */
  org: string | undefined;
  status: number;
  ip: string | null;
}

const emptyActivity = (): GrantActivityBatch => ({ calls: new Map(), actions: new Map(), kinds: new Map() });

export class UsageRecorder {
  private grants = new Map<string, { at: number; ip: string | null }>();
  private secrets = new Map<string, number>();
  /** UTC day → access tokens issued since the last flush (the console's Overview). */
  private tokens = new Map<string, number>();
  private activity = emptyActivity();
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

  /**
   * An API call answered under a grant: counted for its day and for its kind of call that day
   * ("Read work items in Acme, 7 times today"), and kept among its latest calls. Runs on every API
   * call, so it only counts in memory (docs/performance.md, issue 14).
   */
  recordCall(grantId: string, call: ApiCall): void {
    const at = this.now();
    const day = utcDay(at);
    const { calls, kinds, actions } = this.activity;
    let days = calls.get(grantId);
    if (!days) calls.set(grantId, (days = new Map()));
    days.set(day, (days.get(day) ?? 0) + 1);

    const refused = call.status >= 400;
    // A refused call is counted without its organization: the slug is then only the caller's word,
    // and each made-up one would add a row.
    const org = refused || call.org === undefined ? '' : call.org;
    let byKind = kinds.get(grantId);
    if (!byKind) kinds.set(grantId, (byKind = new Map()));
    const key = callKindKey(day, call.method, call.route, org);
    const kind = byKind.get(key);
    if (kind) {
      kind.calls++;
      if (refused) kind.refused++;
      kind.lastAt = at;
    } else {
      byKind.set(key, { day, method: call.method, route: call.route, org, calls: 1, refused: refused ? 1 : 0, lastAt: at });
    }

    let latest = actions.get(grantId);
    if (!latest) actions.set(grantId, (latest = []));
    latest.push({ method: call.method, path: call.path.length > MAX_PATH ? call.path.slice(0, MAX_PATH) : call.path, status: call.status, ip: call.ip, at });
    // A busy service makes thousands of calls between flushes; only the newest few are shown.
    if (latest.length > KEPT_ACTIONS) latest.shift();
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
    this.activity = emptyActivity();
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
