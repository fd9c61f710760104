/**
 * The application's brute-force counters (SECURITY 15, 32), built once per process from
 * `config.throttle`, and the address a counter is keyed by.
 * @module
 */
import { isIPv4, isIPv6 } from 'node:net';
import type { Clock } from '../clock.ts';
import type { ThrottleConfig } from '../config/config.ts';
import { RecentKeys, Throttle } from './throttle.ts';

/** An address that signed in to an account stays exempt from the per-account limit this long. */
const KNOWN_ADDRESS_SECONDS = 30 * 86400;

export interface Throttles {
  clientAuth: Throttle;
  clientAuthPerIp: Throttle;
  invalidGrant: Throttle;
  invalidGrantPerIp: Throttle;
  introspection: Throttle;
  login: Throttle;
  loginPerAccount: Throttle;
  loginPerIp: Throttle;
  /** "Forgot your password?" requests per client network (issue 15). */
  passwordResetPerIp: Throttle;
  /** Wrong user codes on /device (issue 17), per person and per client network. */
  deviceCode: Throttle;
  deviceCodePerIp: Throttle;
  /** (email, network) pairs that signed in successfully lately. */
  knownSignIns: RecentKeys;
}

export function createThrottles(config: ThrottleConfig, clock: Pick<Clock, 'nowMs'>): Throttles {
  const make = (limit: ThrottleConfig['login']) => new Throttle(clock, limit, config.maxKeys);
  return {
    clientAuth: make(config.clientAuth),
    clientAuthPerIp: make(config.clientAuthPerIp),
    invalidGrant: make(config.invalidGrant),
    invalidGrantPerIp: make(config.invalidGrantPerIp),
    introspection: make(config.introspection),
    login: make(config.login),
    loginPerAccount: make(config.loginPerAccount),
    loginPerIp: make(config.loginPerIp),
    passwordResetPerIp: make(config.passwordResetPerIp),
    deviceCode: make(config.deviceCode),
    deviceCodePerIp: make(config.deviceCodePerIp),
    knownSignIns: new RecentKeys(clock, KNOWN_ADDRESS_SECONDS, config.maxKeys),
  };
}

/**
 * The network a request comes from, as a throttle key: an IPv4 address (IPv4-mapped IPv6 too),
 * or the /64 of an IPv6 address, since one subscriber usually holds a whole /64 and could
 * otherwise start fresh counters at will. `ip` is Fastify's `request.ip`: the TCP peer unless
 * TRUST_PROXY names the proxies allowed to speak for the client.
 */
export function clientNetwork(ip: string): string {
  const mapped = ip.startsWith('::ffff:') ? ip.slice(7) : ip;
  if (isIPv4(mapped)) return mapped;
  if (!isIPv6(ip)) return ip;
  return ipv6Prefix64(ip);
}

function ipv6Prefix64(ip: string): string {
  const [head = '', tail] = ip.split('%')[0]!.split('::') as [string, string | undefined];
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = tail === undefined ? left : [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return groups.slice(0, 4).map((g) => g.toLowerCase().replace(/^0+(?=.)/, '')).join(':') + '::/64';
}
