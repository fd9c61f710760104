/**
 * Tessera's configuration: one typed object read from the environment once, at boot.
 * Every invalid value stops the boot with a message naming the variable (see `ConfigError`).
 * @module
 */
import { resolve } from 'node:path';
import { isIP } from 'node:net';
import { AUDIT_FLOOR_DAYS } from '../domain/purge.ts';
import { productLogoFrom, productNameFrom, type BrandConfig } from './brand.ts';
import { ConfigError } from './errors.ts';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export type DatabaseConfig =
  | { dialect: 'sqlite'; path: string }
  | {
      dialect: 'postgres';
      url: string;
      schema?: string;
      /**
       * The hot queries run as named server-side prepared statements, parsed and planned once per
       * connection (persistence/named_statements.ts). Turn off behind a pooler that cannot keep them,
       * such as PgBouncer before 1.21 in transaction mode. @default true (`DATABASE_PREPARED_STATEMENTS`, on|off)
       */
      preparedStatements?: boolean;
    };

/** A limit of `count` events per `seconds` (written `COUNT/SECONDS` in the environment). */
export interface RateLimit {
  count: number;
  seconds: number;
}

/**
 * Brute-force protection (SECURITY 15, 32; OAuth 2.1 §2.4.1; ASVS 6.3.1). Only failures are
 * counted; a refused attempt answers 429 with `Retry-After`. Counters live in each process's
 * memory: several nodes each keep their own (docs/operators.md, "Throttling").
 */
export interface ThrottleConfig {
  /**
   * Failed client authentications per (client_id, client address) at /token, /revoke and
   * /introspect. Keyed by address too, so nobody can lock a client out from elsewhere.
   * @default 10 per 60 s (`THROTTLE_CLIENT_AUTH`)
   */
  clientAuth: RateLimit;
  /** Failed client authentications per client address, any client_id. @default 100 per 60 s (`THROTTLE_CLIENT_AUTH_PER_IP`) */
  clientAuthPerIp: RateLimit;
  /**
   * `invalid_grant` answers (unknown, expired or used codes and refresh tokens) per confidential
   * client, or per (public client, address) since anyone can name a public client.
   * @default 100 per 60 s (`THROTTLE_INVALID_GRANT`)
   */
  invalidGrant: RateLimit;
  /** `invalid_grant` answers per client address. @default 300 per 60 s (`THROTTLE_INVALID_GRANT_PER_IP`) */
  invalidGrantPerIp: RateLimit;
  /**
   * Introspected values that are not our tokens at all (malformed, bad signature, unknown key),
   * per client; expired and revoked tokens do not count (RFC 7662 §4). @default 1000 per 60 s (`THROTTLE_INTROSPECTION`)
   */
  introspection: RateLimit;
  /** Failed sign-ins per (email, address); a success clears it. @default 10 per 600 s (`THROTTLE_LOGIN`) */
  login: RateLimit;
  /**
   * Failed sign-ins per email from all addresses: only slows a distributed attack. It does not
   * apply from an address that signed in to that account successfully in the last 30 days.
   * @default 100 per 900 s (`THROTTLE_LOGIN_PER_ACCOUNT`)
   */
  loginPerAccount: RateLimit;
  /** Failed sign-ins per address, any email (credential stuffing). @default 50 per 300 s (`THROTTLE_LOGIN_PER_IP`) */
  loginPerIp: RateLimit;
  /**
   * "Forgot your password?" requests per client address, any email: each one writes a mail, so one
   * network cannot flood many addresses (issue 15). Per address, resets are limited in the database
   * (services/accounts/recovery.ts). @default 10 per 900 s (`THROTTLE_PASSWORD_RESET_PER_IP`)
   */
  passwordResetPerIp: RateLimit;
  /**
   * Wrong user codes typed on /device (RFC 8628 §5.1, issue 17), per person and per client network.
   * @default 10 per 900 s per person (`THROTTLE_DEVICE_CODE`), 30 per 900 s per network (`THROTTLE_DEVICE_CODE_PER_IP`)
   */
  deviceCode: RateLimit;
  deviceCodePerIp: RateLimit;
  /** Keys each counter holds at most; the least recently written is dropped first. @default 100000 (`THROTTLE_MAX_KEYS`) */
  maxKeys: number;
}

export interface Config {
  /** TCP port the server listens on. @default 3000 (`PORT`) */
  port: number;
  /** Interface to bind. @default "127.0.0.1" (`HOST`) */
  host: string;
  /**
   * The issuer identifier (RFC 8414 §2): the public base URL, with no query or fragment and no
   * trailing slash. @default `http://localhost:PORT` (`PUBLIC_URL`)
   */
  issuer: string;
  /** True when the issuer is https: cookies get `Secure` and the `__Host-` prefix, HSTS is sent. */
  secure: boolean;
  /**
   * Where data lives. `DATABASE_URL` unset = SQLite in `DATA_DIR/tessera.db`; `sqlite:PATH`;
   * `postgres://…` (or `postgresql://…`).
   */
  database: DatabaseConfig;
  /** Directory for the embedded database and the generated key-encryption key. @default "./data" (`DATA_DIR`) */
  dataDir: string;
  /**
   * Base64 (or base64url) of 32 random bytes that encrypts signing keys at rest (`KEY_ENCRYPTION_KEY`).
   * When unset, a key is generated into `DATA_DIR/kek` on first start, with a warning.
   */
  keyEncryptionKey?: string;
  /** pino level. @default "info" (`LOG_LEVEL`) */
  logLevel: LogLevel;
  /** Lifetimes in seconds. */
  ttl: {
    /** Authorization codes (RFC 6749 §4.1.2: short; ≤ 10 min). @default 60 (`AUTHORIZATION_CODE_TTL`) */
    authorizationCode: number;
    /**
     * Device flow requests (RFC 8628 §3.2 `expires_in`, issue 17): the window for a person to
     * confirm the code; lower is better against phishing. @default 600, at most 600 (`DEVICE_CODE_TTL`)
     */
    deviceCode: number;
    /** Access tokens (RFC 9068 JWTs). @default 3600 (`ACCESS_TOKEN_TTL`) */
    accessToken: number;
    /** ID tokens. @default 3600 (`ID_TOKEN_TTL`) */
    idToken: number;
    /** A refresh token unused this long dies (idle lifetime). @default 2592000 = 30 d (`REFRESH_TOKEN_IDLE_TTL`) */
    refreshTokenIdle: number;
    /** A refresh token family ends this long after the code exchange, used or not. @default 7776000 = 90 d (`REFRESH_TOKEN_ABSOLUTE_TTL`) */
    refreshTokenAbsolute: number;
    /**
     * Seconds during which the direct predecessor of the newest refresh token may be presented
     * again without killing the family (an honest retry after a lost response). RFC 9700 §4.14.2.
     * @default 0, off (`REFRESH_TOKEN_REUSE_GRACE`)
     */
    refreshTokenReuseGrace: number;
    /** Signed-in sessions end after this long without activity. @default 86400 = 1 d (`SESSION_IDLE_TTL`) */
    sessionIdle: number;
    /** Signed-in sessions end this long after sign-in, active or not. @default 1209600 = 14 d (`SESSION_ABSOLUTE_TTL`) */
    sessionAbsolute: number;
    /** A pending authorization request (sign-in and approval) must finish within this. @default 900 (`INTERACTION_TTL`) */
    interaction: number;
    /**
     * How recent a sign-in must be (issue 16, SECURITY 51): to approve a high-privilege scope
     * (step-up, services/interactions.ts) and to make a sensitive account change (a factor off, a
     * passkey added or removed, the password or the address changed, a client secret rotated).
     * @default 600 = 10 min (`STEP_UP_MAX_AGE`)
     */
    stepUp: number;
  };
  /** How often each process re-reads revocations and keys written by other processes. @default 2000 ms (`SYNC_INTERVAL_MS`) */
  syncIntervalMs: number;
  /** Expired rows are purged in the background about this often (±50%); 0 = only by `tessera janitor`. @default 60000 ms (`JANITOR_INTERVAL_MS`) */
  janitorIntervalMs: number;
  /** Days of per-grant API activity and per-app error counts kept. @default 90 (`ACTIVITY_RETENTION_DAYS`) */
  activityRetentionDays: number;
  /**
   * Days of audit events kept before the janitor purges them, or `forever`. At least 90: the
   * database refuses to delete younger events (migration 202611291700, issue 8).
   * @default 365 (`AUDIT_RETENTION_DAYS`)
   */
  auditRetentionDays: number | 'forever';
  /** Brute-force protection limits. */
  throttle: ThrottleConfig;
  /** Platform API calls per grant (every call counts), answered with RateLimit headers. @default 600 per 60 s (`API_RATE_LIMIT`) */
  apiRateLimit: RateLimit;
  /**
   * Which peers may set `X-Forwarded-For` (Fastify `trustProxy`). `false` = none: the client
   * address is the TCP peer, so a forged header changes nothing (SECURITY 32). A number trusts
   * that many proxy hops; a list trusts those addresses, CIDR ranges, or `loopback`,
   * `linklocal`, `uniquelocal`. @default false, unset (`TRUST_PROXY`)
   */
  trustProxy: false | number | string[];
  /**
   * Dynamic Client Registration (RFC 7591, RFC 7592) at `/register`, advertised as
   * `registration_endpoint`. Registering needs an initial access token from
   * `tessera app registration-token create`; off, the endpoint does not exist.
   * @default false (`DYNAMIC_REGISTRATION=on|off`)
   */
  dynamicRegistration: boolean;
  /**
   * Every authorization request must be pushed to `/par` first (RFC 9126 §5; advertised as
   * `require_pushed_authorization_requests`); one sent on the front channel alone is refused with
   * invalid_request at its redirect URI. Off, only apps registered with it must push.
   * @default false (`REQUIRE_PAR=on|off`)
   */
  requirePar: boolean;
  /**
   * DPoP proofs must carry a server nonce (RFC 9449 §8, §9): /token, /userinfo and the platform API
   * answer `use_dpop_nonce` with a `DPoP-Nonce` header to a proof without a current one, and hand
   * the current nonce out on every DPoP answer. Stateless (crypto/dpop_nonces.ts): every node
   * accepts every node's nonces. Costs a client one extra round trip every five to ten minutes.
   * @default false (`DPOP_NONCE=on|off`)
   */
  dpopNonce: boolean;
  /** The built-in build runner (jobs/builds/runner.ts; docs/configuration.md, "Builds"). */
  builds: {
    /** Run queued builds in this process. Off, builds stay queued until a node with it on takes them. @default true (`BUILD_RUNNER=on|off`) */
    runner: boolean;
    /** How often each node looks for queued builds and for builds of lost runners. @default 1000 ms (`BUILD_POLL_MS`) */
    pollMs: number;
    /** A running build whose runner has not renewed its claim for this long is taken back. @default 30 s (`BUILD_LEASE_SECONDS`) */
    leaseSeconds: number;
    /** Claims a build gets; a build whose runner was lost this many times fails instead of being requeued. @default 2 (`BUILD_MAX_ATTEMPTS`) */
    maxAttempts: number;
    /** Builds one process runs at the same time. @default 2 (`BUILD_CONCURRENCY`) */
    concurrency: number;
  };
  /** The platform's name and logo in every page and mail (issue 20; config/brand.ts). */
  brand: BrandConfig;
  /** Outgoing mail (issue 15; docs/operators.md, "Mail"). */
  mail: MailConfig;
  /** Requests Tessera sends on its own: back-channel logout tokens (issue 19; docs/operators.md, "Outbound requests"). */
  outbound: OutboundConfig;
}

export interface OutboundConfig {
  /**
   * Lets outbound requests reach private, link-local, unique-local and CGNAT addresses (apps on the
   * operator's own network). Loopback is always allowed. @default false (`OUTBOUND_ALLOW_PRIVATE=on|off`)
   */
  allowPrivate: boolean;
  /** How often each node looks for deliveries. @default 1000 ms (`OUTBOUND_POLL_MS`) */
  pollMs: number;
  /** The first retry waits this long, each next one twice as long. @default 10 s (`OUTBOUND_RETRY_SECONDS`) */
  retrySeconds: number;
  /** Attempts before a delivery is `failed` (also failed one hour after the sign-out). @default 8 (`OUTBOUND_MAX_ATTEMPTS`) */
  maxAttempts: number;
  /** The connection must open within this. @default 3000 ms (`OUTBOUND_CONNECT_MS`) */
  connectMs: number;
  /** The whole request and answer must end within this. @default 5000 ms (`OUTBOUND_TIMEOUT_MS`) */
  totalMs: number;
}

export interface MailConfig {
  /**
   * `smtp://user:pass@host:port` (STARTTLS when the server offers it) or `smtps://…` (TLS from the
   * start). Unset: every message is written as an `.eml` file under `DATA_DIR/outbox/` and logged
   * with its subject and link, so `npm start` needs no mail server. (`SMTP_URL`)
   */
  smtpUrl?: string;
  /** The From header. @default `PRODUCT_NAME <no-reply@HOST>` with PUBLIC_URL's host (`MAIL_FROM`) */
  from: string;
  /** How often each node looks for mail to send. @default 1000 ms (`MAIL_POLL_MS`) */
  pollMs: number;
  /** The first retry waits this long, each next one twice as long, at most an hour. @default 30 s (`MAIL_RETRY_SECONDS`) */
  retrySeconds: number;
  /** Attempts before a message is marked `failed` (`tessera mail retry` sends it again). @default 10 (`MAIL_MAX_ATTEMPTS`) */
  maxAttempts: number;
}

export { ConfigError };

export type Env = Readonly<Record<string, string | undefined>>;

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(`${name} must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(`${name} must be between ${min} and ${max}, got ${value}`);
  return value;
}

function issuerFrom(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`PUBLIC_URL must be an absolute URL, got "${raw}"`);
  }
  // RFC 8414 §2: the issuer is https with no query or fragment; http is allowed here for local use.
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ConfigError('PUBLIC_URL must be http or https');
  if (url.search || url.hash || raw.includes('#') || raw.includes('?')) {
    throw new ConfigError('PUBLIC_URL must not have a query or fragment');
  }
  if (url.username || url.password) throw new ConfigError('PUBLIC_URL must not carry credentials');
  return url.href.replace(/\/+$/, '');
}

function databaseFrom(env: Env, dataDir: string): DatabaseConfig {
  const raw = env.DATABASE_URL;
  if (raw === undefined || raw === '') return { dialect: 'sqlite', path: resolve(dataDir, 'tessera.db') };
  if (raw.startsWith('sqlite:')) {
    const path = raw.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (!path) throw new ConfigError('DATABASE_URL sqlite:PATH needs a path');
    return { dialect: 'sqlite', path: path === ':memory:' ? path : resolve(path) };
  }
  if (raw.startsWith('postgres://') || raw.startsWith('postgresql://')) {
    try {
      new URL(raw);
    } catch {
      throw new ConfigError('DATABASE_URL is not a valid postgres:// URL');
    }
    return { dialect: 'postgres', url: raw, preparedStatements: onOff(env, 'DATABASE_PREPARED_STATEMENTS', true) };
  }
  throw new ConfigError('DATABASE_URL must start with sqlite: or postgres://');
}

function rateLimit(env: Env, name: string, fallback: RateLimit): RateLimit {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const match = /^(\d{1,7})\/(\d{1,6})$/.exec(raw);
  const count = Number(match?.[1]);
  const seconds = Number(match?.[2]);
  if (!match || count < 1 || seconds < 1 || seconds > 86400) {
    throw new ConfigError(`${name} must be COUNT/SECONDS (e.g. 10/60; seconds up to 86400), got "${raw}"`);
  }
  return { count, seconds };
}

function throttleFrom(env: Env): ThrottleConfig {
  return {
    clientAuth: rateLimit(env, 'THROTTLE_CLIENT_AUTH', { count: 10, seconds: 60 }),
    clientAuthPerIp: rateLimit(env, 'THROTTLE_CLIENT_AUTH_PER_IP', { count: 100, seconds: 60 }),
    invalidGrant: rateLimit(env, 'THROTTLE_INVALID_GRANT', { count: 100, seconds: 60 }),
    invalidGrantPerIp: rateLimit(env, 'THROTTLE_INVALID_GRANT_PER_IP', { count: 300, seconds: 60 }),
    introspection: rateLimit(env, 'THROTTLE_INTROSPECTION', { count: 1000, seconds: 60 }),
    login: rateLimit(env, 'THROTTLE_LOGIN', { count: 10, seconds: 600 }),
    loginPerAccount: rateLimit(env, 'THROTTLE_LOGIN_PER_ACCOUNT', { count: 100, seconds: 900 }),
    loginPerIp: rateLimit(env, 'THROTTLE_LOGIN_PER_IP', { count: 50, seconds: 300 }),
    passwordResetPerIp: rateLimit(env, 'THROTTLE_PASSWORD_RESET_PER_IP', { count: 10, seconds: 900 }),
    deviceCode: rateLimit(env, 'THROTTLE_DEVICE_CODE', { count: 10, seconds: 900 }),
    deviceCodePerIp: rateLimit(env, 'THROTTLE_DEVICE_CODE_PER_IP', { count: 30, seconds: 900 }),
    maxKeys: integer(env, 'THROTTLE_MAX_KEYS', 100_000, 100, 10_000_000),
  };
}

const PROXY_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

/** `TRUST_PROXY`: unset = trust no proxy; a hop count; or addresses, CIDRs and proxy-addr names. */
function trustProxyFrom(raw: string | undefined): false | number | string[] {
  if (raw === undefined || raw.trim() === '') return false;
  if (/^\d+$/.test(raw.trim())) {
    const hops = Number(raw.trim());
    if (hops < 1 || hops > 10) throw new ConfigError(`TRUST_PROXY hop count must be between 1 and 10, got ${hops}`);
    return hops;
  }
  const entries = raw.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
  for (const entry of entries) {
    const [address, prefix, extra] = entry.split('/');
    const family = isIP(address ?? '');
    const prefixOk = prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 6 ? 128 : 32));
    if (!(PROXY_NAMES.includes(entry) || (family !== 0 && prefixOk && extra === undefined))) {
      throw new ConfigError(`TRUST_PROXY must be a hop count or a comma list of addresses, CIDRs, ${PROXY_NAMES.join(', ')}; got "${entry}"`);
    }
  }
  return entries.length > 0 ? entries : false;
}

/**
 * `AUDIT_RETENTION_DAYS`: whole days from the database's floor, or `forever`. Never purging is
 * spelled out: a `0` that slipped into a template must not silently turn purging off.
 */
function auditRetention(raw: string | undefined): number | 'forever' {
  if (raw === undefined || raw === '') return 365;
  if (raw === 'forever') return 'forever';
  const days = /^\d{1,5}$/.test(raw) ? Number(raw) : NaN;
  if (!(days >= AUDIT_FLOOR_DAYS && days <= 36500)) {
    throw new ConfigError(
      `AUDIT_RETENTION_DAYS must be whole days from ${AUDIT_FLOOR_DAYS} (the database refuses to delete younger audit events) to 36500, or forever; got "${raw}"`,
    );
  }
  return days;
}

const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** `on` or `off` (unset = the default). */
function onOff(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'on') return true;
  if (raw === 'off') return false;
  throw new ConfigError(`${name} must be on or off`);
}

/** Reads and checks the whole configuration; throws `ConfigError` naming the first bad variable. */
export function loadConfig(env: Env = process.env): Config {
  const port = integer(env, 'PORT', 3000, 0, 65535);
  const host = env.HOST || '127.0.0.1';
  const issuer = issuerFrom(env.PUBLIC_URL || `http://localhost:${port}`);
  const dataDir = resolve(env.DATA_DIR || './data');
  const logLevel = (env.LOG_LEVEL || 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);
  const keyEncryptionKey = env.KEY_ENCRYPTION_KEY || undefined;
  if (keyEncryptionKey !== undefined && Buffer.from(keyEncryptionKey, 'base64url').length !== 32) {
    throw new ConfigError('KEY_ENCRYPTION_KEY must be base64 of exactly 32 bytes');
  }
  const ttl = {
    authorizationCode: integer(env, 'AUTHORIZATION_CODE_TTL', 60, 1, 600),
    deviceCode: integer(env, 'DEVICE_CODE_TTL', 600, 60, 600),
    accessToken: integer(env, 'ACCESS_TOKEN_TTL', 3600, 1, 86400),
    idToken: integer(env, 'ID_TOKEN_TTL', 3600, 1, 86400),
    refreshTokenIdle: integer(env, 'REFRESH_TOKEN_IDLE_TTL', 30 * 86400, 1, 365 * 86400),
    refreshTokenAbsolute: integer(env, 'REFRESH_TOKEN_ABSOLUTE_TTL', 90 * 86400, 1, 3650 * 86400),
    refreshTokenReuseGrace: integer(env, 'REFRESH_TOKEN_REUSE_GRACE', 0, 0, 60),
    sessionIdle: integer(env, 'SESSION_IDLE_TTL', 86400, 1, 365 * 86400),
    sessionAbsolute: integer(env, 'SESSION_ABSOLUTE_TTL', 14 * 86400, 1, 365 * 86400),
    interaction: integer(env, 'INTERACTION_TTL', 900, 1, 86400),
    stepUp: integer(env, 'STEP_UP_MAX_AGE', 600, 30, 86400),
  };
  const productName = productNameFrom(env.PRODUCT_NAME);
  const logo = productLogoFrom(env.PRODUCT_LOGO);
  const brand: BrandConfig = logo === undefined ? { productName } : { productName, logo };
  return {
    port,
    host,
    issuer,
    secure: issuer.startsWith('https:'),
    database: databaseFrom(env, dataDir),
    dataDir,
    keyEncryptionKey,
    logLevel,
    ttl,
    syncIntervalMs: integer(env, 'SYNC_INTERVAL_MS', 2000, 50, 60000),
    janitorIntervalMs: integer(env, 'JANITOR_INTERVAL_MS', 60000, 0, 86_400_000),
    activityRetentionDays: integer(env, 'ACTIVITY_RETENTION_DAYS', 90, 30, 3650),
    auditRetentionDays: auditRetention(env.AUDIT_RETENTION_DAYS),
    throttle: throttleFrom(env),
    apiRateLimit: rateLimit(env, 'API_RATE_LIMIT', { count: 600, seconds: 60 }),
    trustProxy: trustProxyFrom(env.TRUST_PROXY),
    dynamicRegistration: onOff(env, 'DYNAMIC_REGISTRATION', false),
    requirePar: onOff(env, 'REQUIRE_PAR', false),
    dpopNonce: onOff(env, 'DPOP_NONCE', false),
    builds: {
      runner: onOff(env, 'BUILD_RUNNER', true),
      pollMs: integer(env, 'BUILD_POLL_MS', 1000, 50, 60000),
      leaseSeconds: integer(env, 'BUILD_LEASE_SECONDS', 30, 3, 3600),
      maxAttempts: integer(env, 'BUILD_MAX_ATTEMPTS', 2, 1, 10),
      concurrency: integer(env, 'BUILD_CONCURRENCY', 2, 1, 32),
    },
    brand,
    mail: mailFrom(env, issuer, brand.productName),
    outbound: {
      allowPrivate: onOff(env, 'OUTBOUND_ALLOW_PRIVATE', false),
      pollMs: integer(env, 'OUTBOUND_POLL_MS', 1000, 50, 60000),
      retrySeconds: integer(env, 'OUTBOUND_RETRY_SECONDS', 10, 1, 3600),
      maxAttempts: integer(env, 'OUTBOUND_MAX_ATTEMPTS', 8, 1, 100),
      connectMs: integer(env, 'OUTBOUND_CONNECT_MS', 3000, 100, 60000),
      totalMs: integer(env, 'OUTBOUND_TIMEOUT_MS', 5000, 100, 60000),
    },
  };
}

/**
 * One mailbox (RFC 5322 §3.4): `addr@host` or `Name <addr@host>`, the name possibly quoted. No
 * control character (a CR or LF would start a header of its own in every message) and no second
 * address (`a@x, b@y`: every message would claim two senders).
 */
function isOneMailbox(value: string): boolean {
  if (/[\u0000-\u001f\u007f]/.test(value)) return false;
  // A quoted name may hold anything but its own quote, even commas and @.
  const unquoted = value.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  const address = String.raw`[^\s<>@,;"]+@[^\s<>@,;"]+`;
  return new RegExp(String.raw`^\s*(?:[^<>@,;]*<${address}>|${address})\s*$`).test(unquoted);
}

function mailFrom(env: Env, issuer: string, productName: string): MailConfig {
  const smtpUrl = env.SMTP_URL || undefined;
  if (smtpUrl !== undefined) {
    let url: URL;
    try {
      url = new URL(smtpUrl);
    } catch {
      throw new ConfigError('SMTP_URL must be a URL such as smtp://user:password@host:587 or smtps://host:465');
    }
    if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') throw new ConfigError('SMTP_URL must start with smtp:// or smtps://');
    if (!url.hostname) throw new ConfigError('SMTP_URL must name a host');
  }
  // RFC 5322 §3.2.3: a name of atoms and spaces stands as it is; any other (a dot, a letter
  // outside ASCII) is quoted (§3.2.4), which always works since PRODUCT_NAME holds no quote.
  const name = /^[A-Za-z0-9 !'&+_-]+$/.test(productName) ? productName : `"${productName}"`;
  const from = env.MAIL_FROM || `${name} <no-reply@${new URL(issuer).hostname}>`;
  if (!isOneMailbox(from)) throw new ConfigError('MAIL_FROM must be one address, such as "Tessera <no-reply@example.com>"');
  return {
    ...(smtpUrl === undefined ? {} : { smtpUrl }),
    from,
    pollMs: integer(env, 'MAIL_POLL_MS', 1000, 50, 60000),
    retrySeconds: integer(env, 'MAIL_RETRY_SECONDS', 30, 1, 3600),
    maxAttempts: integer(env, 'MAIL_MAX_ATTEMPTS', 10, 1, 100),
  };
}
