/**
 * Everything the application depends on, as types: built once per process (or per test) by
 * create_deps.ts and passed to `buildApp(deps)` explicitly (no module-level state). Only types
 * here, so what every module imports drags in no database, key or cache code (issue 13).
 * @module
 */
import type { Logger } from 'pino';
import type { Config } from './config/config.ts';
import type { Stores } from './domain/stores.ts';
import type { DatabaseHandle } from './persistence/database.ts';
import type { ChangeFeed } from './persistence/change_feed.ts';
import type { KeyManager } from './crypto/key_manager.ts';
import type { RevocationCache } from './caches/revocation_cache.ts';
import type { SuspendedApps } from './caches/suspended_apps.ts';
import type { AccessGuard } from './caches/access_guard.ts';
import type { Revoker } from './services/revoker.ts';
import type { UsageRecorder } from './jobs/usage_recorder.ts';
import type { ErrorCounter } from './jobs/error_counter.ts';
import type { VerifiedTokenCache } from './caches/verified_tokens.ts';
import type { ClientCache } from './oauth/client_auth/client_cache.ts';
import type { SpaOrigins } from './caches/spa_origins.ts';
import type { BuildRunner } from './jobs/builds/runner.ts';
import type { Throttles } from './caches/throttles.ts';
import type { Metrics } from './ops/metrics.ts';
import type { DirectoryClients } from './interaction/directory/upstream.ts';
import type { Accounts } from './services/accounts/accounts.ts';
import type { MailSender } from './jobs/mail_sender.ts';
import type { OutboundSender } from './jobs/outbound_sender.ts';
import type { Clock } from './clock.ts';
export type { Clock } from './clock.ts';
export { systemClock } from './clock.ts';

export interface Deps {
  config: Config;
  log: Logger;
  clock: Clock;
  database: DatabaseHandle;
  stores: Stores;
  keys: KeyManager;
  revocations: RevocationCache;
  /** Apps an operator suspended (issue 21): the one "is this client suspended" check, no database read. */
  suspensions: SuspendedApps;
  /** Memberships and organization policies, cached for the API's per-call checks. */
  access: AccessGuard;
  revoker: Revoker;
  /** Batches "last used" updates of grants and client secrets. */
  usage: UsageRecorder;
  /** Batches the per-app error counts of the portal's usage panel. */
  errorCounts: ErrorCounter;
  /** Runs queued builds (BUILD_RUNNER); `wake()` after queuing one. */
  builds: BuildRunner;
  /** Access tokens whose signature already verified in this process. */
  verifiedTokens: VerifiedTokenCache;
  /** Apps and their live secret digests for client authentication at /token, dropped on every app write. */
  clients: ClientCache;
  /** The origins of every single-page app's redirect URIs: which CORS preflights are answered (issue 18). */
  spaOrigins: SpaOrigins;
  feed: ChangeFeed;
  metrics: Metrics;
  /** Key for form tokens bound to a session and a transaction; the same on every node sharing the KEK. */
  formKey: Buffer;
  /** Brute-force counters (SECURITY 15, 32); in this process's memory only. */
  throttles: Throttles;
  /** Delivers the mail outbox in the background; `wake()` after writing mail to send it now. */
  mail: MailSender;
  /** Sends back-channel logout tokens in the background (issue 19); `wake()` after a sign-out to send them now. */
  outbound: OutboundSender;
  /** The one authority over sign-in, sessions, accounts, passwords and second factors (issue 13). */
  accounts: Accounts;
  /** Company directories as OpenID providers: discovery and JWKS caches, sign-in checks (SECURITY 47, 49). */
  directoryClients: DirectoryClients;
  close(): Promise<void>;
}

/** What every area plugin is registered with (here, not in app.ts, so areas never import the app). */
export interface AppOptions {
  deps: Deps;
}

