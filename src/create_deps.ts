/**
 * Builds the application's dependencies (src/deps.ts says what they are): opens and migrates the
 * database, loads keys, starts the change feed, the caches it keeps right and the background jobs.
 * @module
 */
import type { Logger } from 'pino';
import type { Deps } from './deps.ts';
import type { Clock } from './clock.ts';
import { systemClock } from './clock.ts';
import type { Config } from './config/config.ts';
import { openDatabase } from './persistence/database.ts';
import { migrateToLatest } from './persistence/migrate.ts';
import { createStores } from './persistence/stores/index.ts';
import { LocalChangeFeed, PostgresChangeFeed, SqliteChangeFeed, type ChangeFeed } from './persistence/change_feed.ts';
import { loadKeyEncryptionKey } from './crypto/key_encryption.ts';
import { accountLinkKey, formKeyOf } from './crypto/derived_keys.ts';
import { KeyManager } from './crypto/key_manager.ts';
import { RevocationCache } from './caches/revocation_cache.ts';
import { SuspendedApps, announcingSuspensionStore } from './caches/suspended_apps.ts';
import { AccessGuard } from './caches/access_guard.ts';
import { announcingFactorStores } from './services/accounts/factor_announcements.ts';
import { Revoker } from './services/revoker.ts';
import { UsageRecorder } from './jobs/usage_recorder.ts';
import { startErrorCounter } from './jobs/error_counter.ts';
import { VerifiedTokenCache } from './caches/verified_tokens.ts';
import { ClientCache, announcingAppStore } from './oauth/client_auth/client_cache.ts';
import { SpaOrigins } from './caches/spa_origins.ts';
import { startJanitor } from './jobs/janitor.ts';
import { SqlPurgeStore } from './persistence/stores/purge.ts';
import { startBuildRunner } from './jobs/builds/start.ts';
import { createThrottles } from './caches/throttles.ts';
import { createMetrics } from './ops/metrics.ts';
import { createLogger } from './ops/logger.ts';
import { DirectoryClients } from './interaction/directory/upstream.ts';
import { Accounts } from './services/accounts/accounts.ts';
import { meetsSecondFactorRequirement } from './services/accounts/second_factor_requirement.ts';
import { MailSender } from './jobs/mail_sender.ts';
import { OutboundSender } from './jobs/outbound_sender.ts';
import { createTransport } from './mail/transport.ts';

export interface DepsOptions {
  log?: Logger;
  clock?: Clock;
  /** Collect Node's default process metrics (off in tests: they are global). */
  defaultMetrics?: boolean;
  /** Apply migrations at start. @default true */
  migrate?: boolean;
}

export async function createDeps(config: Config, options: DepsOptions = {}): Promise<Deps> {
  const log = options.log ?? createLogger(config.logLevel);
  const clock = options.clock ?? systemClock;
  const database = openDatabase(config.database);
  const cleanups: (() => Promise<void> | void)[] = [() => database.close()];
  try {
    if (options.migrate ?? true) await migrateToLatest(database.db);
    const stores = createStores(database.db, database.dialect);
    const kek = loadKeyEncryptionKey(config, (path) =>
      log.warn({ path }, 'generated a key-encryption key next to the data; set KEY_ENCRYPTION_KEY in production'),
    );
    const keys = new KeyManager(stores.keys, kek, () => clock.now());
    await keys.init();

    let feed: ChangeFeed;
    if (database.pool && config.database.dialect === 'postgres') {
      const pgFeed = new PostgresChangeFeed(
        database.pool,
        {
          connectionString: config.database.url,
          ...(config.database.schema ? { options: `-c search_path=${config.database.schema}` } : {}),
        },
        (err) => log.warn({ err }, 'change feed connection lost; reconnecting'),
      );
      await pgFeed.start();
      feed = pgFeed;
    } else if (config.database.dialect === 'sqlite' && config.database.path !== ':memory:') {
      // Other processes on the same file (the CLI, another server) announce through its `changes`
      // table; this process polls it cheaply (change_feed.ts, SqliteChangeFeed).
      const sqliteFeed = new SqliteChangeFeed(database.db, { onError: (err) => log.warn({ err }, 'change feed poll failed; retrying') });
      await sqliteFeed.start();
      feed = sqliteFeed;
    } else {
      feed = new LocalChangeFeed();
    }
    cleanups.push(() => feed.close());
    // Every app or secret write announces itself, so cached client credentials never outlive it.
    stores.apps = announcingAppStore(stores.apps, feed);
    // Suspensions too (issue 21): every node applies the row the moment it is written.
    stores.appSuspensions = announcingSuspensionStore(stores.appSuspensions, feed);
    // Every second factor added or removed too, so the AccessGuard's entry for the person goes at once (issue 16).
    Object.assign(stores, announcingFactorStores(stores, feed));
    const clients = new ClientCache(stores.apps, () => clock.now());
    clients.subscribe(feed);
    const spaOrigins = new SpaOrigins(stores.apps, () => clock.now());
    spaOrigins.subscribe(feed);

    const denylistSource = {
      listSince: (since: number, now: number) => stores.revocations.listSince(since, now),
      listNarrowingsSince: (since: number, now: number) => stores.grants.listNarrowingsSince(since, now),
    };
    const revocations = new RevocationCache(denylistSource, () => clock.now(), (err) =>
      log.warn({ err }, 'revocation sync failed; will retry'),
    );
    await revocations.start(feed, config.syncIntervalMs);
    cleanups.push(() => revocations.stop());
    const suspensions = new SuspendedApps(stores.appSuspensions, () => clock.now(), (err) => log.warn({ err }, 'suspension sync failed; will retry'));
    await suspensions.start(feed, config.syncIntervalMs);
    cleanups.push(() => suspensions.stop());

    const throttles = createThrottles(config.throttle, clock);
    const formKey = formKeyOf(kek);

    // Membership, policy and second-factor changes from any node drop the cached entries at once.
    const access = new AccessGuard(stores.organizations, (userId) => meetsSecondFactorRequirement({ stores, clock, formKey }, userId), () => clock.now());
    access.subscribe(feed);

    // Keys rotated by the CLI or another node: reload on notice, and on the same poll as revocations.
    feed.subscribe((event) => {
      if (event.type === 'keys') keys.reload().catch((err: unknown) => log.warn({ err }, 'key reload failed'));
    });
    const keyTimer = setInterval(() => {
      keys.reload().catch((err: unknown) => log.warn({ err }, 'key reload failed'));
    }, Math.max(config.syncIntervalMs, 5000));
    keyTimer.unref();
    cleanups.push(() => clearInterval(keyTimer));

    const metrics = createMetrics({ defaultMetrics: options.defaultMetrics ?? false });
    const revoker = new Revoker(stores, revocations, feed, metrics, () => clock.now(), config.ttl.accessToken);
    const usage = new UsageRecorder(stores, () => clock.now(), (err) => log.warn({ err }, 'recording grant use failed'));
    usage.start(5000);
    cleanups.push(() => usage.stop());
    // Expired rows go in small background batches (issue 7); `tessera janitor` does the same on demand.
    const janitor = startJanitor(new SqlPurgeStore(database.db), () => clock.now(), log, config.janitorIntervalMs, {
      activityRetentionDays: config.activityRetentionDays,
      auditRetentionDays: config.auditRetentionDays,
    });
    cleanups.push(() => janitor.stop());

    // The outbox is delivered in the background (issue 15); it stops before the database closes.
    const { pollMs, retrySeconds, maxAttempts } = config.mail;
    const mail = new MailSender(stores.outbox, createTransport(config.mail, config.dataDir, log), clock, log, { pollMs, retrySeconds, maxAttempts, issuer: config.issuer, productName: config.brand.productName, linkKey: accountLinkKey(formKey) }, metrics);
    mail.start();
    cleanups.push(() => mail.stop());
    // Back-channel logout tokens (issue 19), on the same lease loop; stops before the database closes.
    const outbound = new OutboundSender(stores.outboundDeliveries, keys, clock, log, { ...config.outbound, issuer: config.issuer }, metrics);
    outbound.start();
    cleanups.push(() => outbound.stop());
    return {
      config,
      log,
      clock,
      database,
      stores,
      keys,
      revocations,
      suspensions,
      access,
      revoker,
      usage,
      errorCounts: startErrorCounter(stores.appErrors, () => clock.now(), (err) => log.warn({ err }, 'recording error counts failed'), cleanups),
      builds: startBuildRunner(stores, clock, log, config, cleanups),
      verifiedTokens: new VerifiedTokenCache(),
      clients,
      spaOrigins,
      feed,
      metrics,
      formKey,
      throttles,
      mail,
      outbound,
      accounts: new Accounts({ config, clock, stores, throttles, formKey }),
      directoryClients: new DirectoryClients(kek, () => clock.now()),
      async close() {
        for (const cleanup of cleanups.reverse()) await cleanup();
      },
    };
  } catch (err) {
    for (const cleanup of cleanups.reverse()) await Promise.resolve(cleanup()).catch(() => {});
    throw err;
  }
}
