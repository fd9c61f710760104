/**
 * What a CLI command works with: the server's own configuration and database, migrated to the
 * latest schema first. No HTTP app, no change-feed listener, no revocation cache: the command
 * writes through the stores, and running servers pick the change up from the database.
 *
 * Running servers must also drop what they cached about the change. On PostgreSQL the commands
 * that need it send one NOTIFY (services/org_admin.ts, persistence/notify.ts). On SQLite every
 * process on the file shares a change feed through its `changes` table (SqliteChangeFeed), and
 * the stores given to commands announce their own writes there: membership and policy changes,
 * signing-key writes, app and secret writes, grant revocations (user disable), second factors
 * removed (`user reset-second-factor`, on PostgreSQL too: one NOTIFY). A server polling
 * the table applies them within ~150 ms instead of its cache TTL (10–30 s) or its key poll (5 s).
 * @module
 */
import type { Config, Env } from '../config/config.ts';
import type { CliIo } from './io.ts';
import type { Stores } from '../domain/stores.ts';
import { openDatabase, type DatabaseHandle } from '../persistence/database.ts';
import { migrateToLatest, type MigrationReport } from '../persistence/migrate.ts';
import { createStores } from '../persistence/stores/index.ts';
import { PostgresChangeFeed, SqliteChangeFeed, type ChangeFeed } from '../persistence/change_feed.ts';
import { announcingAppStore } from '../oauth/client_auth/client_cache.ts';
import { announcingSuspensionStore } from '../caches/suspended_apps.ts';
import { announcingFactorStores } from '../services/accounts/factor_announcements.ts';
import { Accounts } from '../services/accounts/accounts.ts';
import { createThrottles } from '../caches/throttles.ts';
import { systemClock } from '../deps.ts';
import { loadKeyEncryptionKey } from '../crypto/key_encryption.ts';
import { formKeyOf } from '../crypto/derived_keys.ts';

export interface CliContext {
  config: Config;
  database: DatabaseHandle;
  stores: Stores;
  /** Accounts are created through the same service as sign-up and sign-in (issue 13). */
  accounts: Accounts;
  /** Migrations this invocation applied (usually none). */
  migrations: MigrationReport;
  /** Epoch seconds, the unit of every stored time. */
  now(): number;
  /** Prints a warning line on stderr (stdout stays clean for --json). */
  warn(message: string): void;
  /** The invocation's environment, for the few commands reading a variable the configuration does not (NEW_KEY_ENCRYPTION_KEY). */
  env: Env;
}

export async function openContext(config: Config, io: CliIo): Promise<CliContext & { close(): Promise<void> }> {
  const database = openDatabase(config.database);
  try {
    const migrations = await migrateToLatest(database.db);
    const stores = announcedStores(database);
    const warn = (message: string) => io.stderr(`tessera: warning: ${message}\n`);
    // The form key (sealing TOTP secrets) is derived from the server's key-encryption key, made on first use like the server does.
    const formKey = formKeyOf(loadKeyEncryptionKey(config, (path) => warn(`generated a key-encryption key at ${path}; set KEY_ENCRYPTION_KEY in production`)));
    const accounts = new Accounts({ config, clock: systemClock, stores, throttles: createThrottles(config.throttle, systemClock), formKey });
    return {
      config,
      database,
      stores,
      accounts,
      migrations,
      now: () => Math.floor(Date.now() / 1000),
      warn,
      env: io.env,
      close: () => database.close(),
    };
  } catch (err) {
    await database.close().catch(() => {});
    throw err;
  }
}

/**
 * The stores a command writes through, each write a running server caches announced once it has
 * committed. SQLite: everything, on the `changes` table. PostgreSQL: app and secret writes and
 * grant revocations (user disable) and second-factor writes, as one NOTIFY each; membership, policy and key changes NOTIFY
 * themselves (services/org_admin.ts, persistence/notify.ts), and wrapping them would announce twice.
 */
function announcedStores(database: DatabaseHandle): Stores {
  const stores = createStores(database.db, database.dialect);
  if (database.dialect === 'sqlite') return announcingStores(stores, new SqliteChangeFeed(database.db));
  if (!database.pool) return stores;
  // publish() only uses the pool; the feed's listener connection is never started.
  const feed = new PostgresChangeFeed(database.pool, {});
  return {
    ...stores,
    apps: announcingAppStore(stores.apps, feed),
    appSuspensions: announcingSuspensionStore(stores.appSuspensions, feed),
    grants: announcingGrantStore(stores.grants, feed),
    ...announcingFactorStores(stores, feed),
  };
}

/**
 * The stores with every write a running server caches announced on `feed` once it has committed.
 * Wrapping the stores rather than the commands means a new command that writes through them is
 * announced without remembering to.
 */
export function announcingStores(stores: Stores, feed: ChangeFeed): Stores {
  const organizations = Object.create(stores.organizations) as Stores['organizations'];
  const orgs = stores.organizations;
  organizations.create = async (input, now) => {
    const org = await orgs.create(input, now);
    if (org && input.ownerUserId) await feed.publish({ type: 'membership', userId: input.ownerUserId });
    return org;
  };
  organizations.setMember = async (orgId, userId, role, now) => {
    await orgs.setMember(orgId, userId, role, now);
    await feed.publish({ type: 'membership', userId });
  };
  organizations.removeMember = async (orgId, userId, now) => {
    const removed = await orgs.removeMember(orgId, userId, now);
    if (removed) await feed.publish({ type: 'membership', userId });
    return removed;
  };
  organizations.setThirdPartyMode = async (orgId, mode, now) => {
    await orgs.setThirdPartyMode(orgId, mode, now);
    await feed.publish({ type: 'org_policy', orgId });
  };
  organizations.setRequireSecondFactor = async (orgId, required, now) => {
    await orgs.setRequireSecondFactor(orgId, required, now);
    await feed.publish({ type: 'org_policy', orgId });
  };
  organizations.setDeviceFlowOff = async (orgId, off, now) => {
    await orgs.setDeviceFlowOff(orgId, off, now);
    await feed.publish({ type: 'org_policy', orgId });
  };
  organizations.setAppRule = async (orgId, appId, rule, now) => {
    await orgs.setAppRule(orgId, appId, rule, now);
    await feed.publish({ type: 'org_policy', orgId });
  };

  const keys = Object.create(stores.keys) as Stores['keys'];
  keys.rotate = async (next, now) => {
    await stores.keys.rotate(next, now);
    await feed.publish({ type: 'keys' });
  };
  keys.insertFirst = async (key) => {
    await stores.keys.insertFirst(key);
    await feed.publish({ type: 'keys' });
  };

  return {
    ...stores,
    organizations,
    keys,
    grants: announcingGrantStore(stores.grants, feed),
    apps: announcingAppStore(stores.apps, feed),
    appSuspensions: announcingSuspensionStore(stores.appSuspensions, feed),
    ...announcingFactorStores(stores, feed),
  };
}

/** A revoked grant announced as the same denylist entry the server's Revoker announces. */
function announcingGrantStore(store: Stores['grants'], feed: ChangeFeed): Stores['grants'] {
  const grants = Object.create(store) as Stores['grants'];
  grants.revoke = async (grantId, now, denylistUntil, cause) => {
    const revoked = await store.revoke(grantId, now, denylistUntil, cause);
    if (revoked) await feed.publish({ type: 'revoked', id: grantId, kind: 'grant', expiresAt: denylistUntil });
    return revoked;
  };
  return grants;
}
