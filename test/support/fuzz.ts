/**
 * Property-based hostile input (fast-check) for the fuzz suites in test/security/fuzz_*.test.ts:
 * generators of malformed, oversized, duplicated, wrongly typed, prototype-polluting and
 * unicode-laden parameters (sent as raw bytes, so invalid UTF-8 and overlong encodings reach the
 * server as they are), a fingerprint of every state table (to prove a refused request changed
 * nothing: SECURITY 43, 44), and the checks every answer must pass.
 *
 * Rerun with another seed: `FUZZ_SEED=123 FUZZ_RUNS=1000 node --import tsx --test test/security/fuzz_oauth.test.ts`.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { sql } from 'kysely';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import type { Deps } from '../../src/deps.ts';
import type { TestApp } from './app.ts';
import { assertErrorFields, nextAddress } from '../security/helpers.ts';

/** The seed of every property in a run: fixed, so a failure replays; `FUZZ_SEED` overrides it. */
export const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? 20261129);
/** Generated requests per property; `FUZZ_RUNS` overrides it. */
export const FUZZ_RUNS = Number(process.env.FUZZ_RUNS ?? 150);

/**
 * Runs a property with the suite's seed. fast-check's own report names the seed, the path of the
 * counterexample and the shrunk input; the seed is repeated in front so it cannot be missed.
 */
export async function fuzz<T>(name: string, arb: fc.Arbitrary<T>, predicate: (value: T) => Promise<void>, runs = FUZZ_RUNS): Promise<number> {
  let count = 0;
  try {
    await fc.assert(
      fc.asyncProperty(arb, async (value) => {
        count++;
        await predicate(value);
      }),
      { seed: FUZZ_SEED, numRuns: runs, includeErrorInReport: true },
    );
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`fuzz "${name}" failed with FUZZ_SEED=${FUZZ_SEED} FUZZ_RUNS=${runs}\n${message}`, { cause: error });
  }
  return count;
}

// ---------------------------------------------------------------------------------------------
// Generators. Everything is produced already percent-encoded: the server must see the raw bytes.

/** Percent-encodes every byte of a string's UTF-8 form (lone surrogates become U+FFFD). */
export function encodeAll(s: string): string {
  return [...Buffer.from(s, 'utf8')].map((b) => '%' + b.toString(16).toUpperCase().padStart(2, '0')).join('');
}

/** Fragments chosen to break parsers, validators and renderers. */
export const NASTY_FRAGMENTS = [
  '%00', // NUL
  '%ED%A0%80', // a lone surrogate (U+D800) in UTF-8 form: invalid UTF-8
  '%ED%BF%BF',
  '%C0%AF', // overlong "/"
  '%C0%80', // overlong NUL
  '%E0%80%AF', // 3-byte overlong "/"
  '%F8%88%80%80%80', // a 5-byte sequence
  '%FF',
  '%C3', // truncated sequence
  '%', // bare percent
  '%ZZ',
  '%E0%A4%A',
  '%E2%80%AE', // RIGHT-TO-LEFT OVERRIDE
  '%E2%80%8B', // ZERO WIDTH SPACE
  '%EF%BB%BF', // BOM
  '%EF%BF%BF', // a noncharacter
  '%F0%9F%98%80', // emoji, 4-byte UTF-8
  '%F4%8F%BF%BF', // U+10FFFF
  '%F0%9F%91%A9%E2%80%8D%F0%9F%92%BB', // ZWJ sequence
  '%0D%0ASet-Cookie:%20x%3D1', // CRLF injection
  '%09', // TAB
  '%3Cscript%3Ealert(1)%3C%2Fscript%3E',
  '%22%3E%3Cimg%20src%3Dx%3E',
  "'%20OR%20'1'%3D'1",
  '%3B%20DROP%20TABLE%20users%3B--',
  '..%2F..%2Fetc%2Fpasswd',
  '%2F%2Fevil.example',
  'https%3A%2F%2Fevil.example%2Fcb',
  'javascript%3Aalert(1)',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  '%24ne',
  '%7B%22%24ne%22%3A1%7D', // {"$ne":1}
  '%5B%5D', // []
  '-1',
  '1e309',
  '99999999999999999999999',
  'NaN',
  'null',
  'true',
  '+',
  '%20',
  '',
] as const;

/** Fragments that are not valid UTF-8 or not valid percent-encoding: the parser must refuse them. */
const MALFORMED = new Set(['%ED%A0%80', '%ED%BF%BF', '%C0%AF', '%C0%80', '%E0%80%AF', '%F8%88%80%80%80', '%FF', '%C3', '%', '%ZZ', '%E0%A4%A']);
const WELL_FORMED = NASTY_FRAGMENTS.filter((f) => !MALFORMED.has(f));

/** A hostile value that is valid UTF-8: it gets past the parser and reaches the validators. */
export const wellFormedValue: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...WELL_FORMED) },
  { weight: 3, arbitrary: fc.array(fc.constantFrom(...WELL_FORMED), { minLength: 2, maxLength: 5 }).map((a) => a.join('')) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }).map(encodeAll) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme-ascii', maxLength: 40 }).map(encodeURIComponent) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('a', '%F0%9F%98%80', 'x%20', '%E2%80%AE'), fc.integer({ min: 300, max: 9000 })).map(([s, n]) => s.repeat(n)) },
);

/** One hostile value, percent-encoded; about a quarter are malformed bytes. */
export const hostileValue: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: wellFormedValue },
  { weight: 1, arbitrary: fc.constantFrom(...MALFORMED) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }).map(encodeAll) },
);

/** Keys that pollute prototypes or smuggle arrays and objects past a naive parser. */
export const POLLUTING_KEYS = [
  '__proto__',
  '__proto__[admin]',
  '__proto__%5Badmin%5D',
  'constructor[prototype][admin]',
  'constructor%5Bprototype%5D%5Badmin%5D',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'valueOf',
  '',
  '%00',
  '%E2%80%AE',
  '%F0%9F%98%80',
  '%ED%A0%80',
] as const;

export type Pair = [string, string];

/**
 * Mutations of a request that would otherwise be valid: each base parameter is kept, dropped,
 * emptied, given a hostile value, doubled (same or other value), or turned into bracket syntax;
 * then hostile extra pairs and polluting keys are added, and the order may be shuffled.
 */
export function hostileParams(base: Record<string, string>, names: readonly string[] = []): fc.Arbitrary<Pair[]> {
  const keys = Object.keys(base);
  const known = [...new Set([...keys, ...names])];
  const intact = (key: string): Pair => [key, encodeURIComponent(base[key]!)];
  const mutations = (key: string, value: fc.Arbitrary<string>): fc.Arbitrary<Pair[]> => {
    const [, kept] = intact(key);
    return fc.oneof(
      { weight: 1, arbitrary: fc.constant<Pair[]>([]) },
      { weight: 1, arbitrary: fc.constant<Pair[]>([[key, '']]) },
      { weight: 4, arbitrary: value.map<Pair[]>((v) => [[key, v]]) },
      { weight: 1, arbitrary: value.map<Pair[]>((v) => [[key, kept], [key, v]]) },
      { weight: 1, arbitrary: fc.constant<Pair[]>([[key, kept], [key, kept]]) },
      { weight: 1, arbitrary: fc.constantFrom('[]', '[0]', '[a]', '[$ne]', '[__proto__]').map<Pair[]>((b) => [[key + encodeURIComponent(b), kept]]) },
      { weight: 1, arbitrary: fc.constantFrom('[]', '[a]').map<Pair[]>((b) => [[key + b, kept]]) },
    );
  };
  const extraKey = fc.oneof(fc.constantFrom(...POLLUTING_KEYS), ...(known.length ? [fc.constantFrom(...known)] : []), wellFormedValue);
  // One field broken, the rest valid: the request reaches the check for that field.
  const one = keys.length === 0
    ? fc.constant<Pair[]>([])
    : fc.constantFrom(...keys).chain((target) => mutations(target, wellFormedValue).map((broken) => keys.flatMap((k) => (k === target ? broken : [intact(k)]))));
  // Valid fields plus polluting or unknown extra keys (which must be ignored, SECURITY 41, 43).
  const extras = fc.array(fc.tuple(extraKey, wellFormedValue), { minLength: 1, maxLength: 4 }).map((more) => [...keys.map(intact), ...more]);
  // Anything goes: several fields broken, malformed bytes included.
  const chaos = fc
    .tuple(fc.tuple(...keys.map((k) => fc.oneof({ weight: 2, arbitrary: fc.constant<Pair[]>([intact(k)]) }, { weight: 1, arbitrary: mutations(k, hostileValue) }))), fc.array(fc.tuple(extraKey, hostileValue), { maxLength: 3 }))
    .map(([groups, more]) => [...(groups as Pair[][]).flat(), ...(more as Pair[])]);
  return fc
    .tuple(fc.oneof({ weight: 4, arbitrary: one }, { weight: 2, arbitrary: extras }, { weight: 3, arbitrary: chaos }), fc.boolean())
    .map(([pairs, reverse]) => (reverse ? [...pairs].reverse() : pairs));
}

export function joinPairs(pairs: Pair[]): string {
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

/** A JSON text (not an object: it may hold duplicate and `__proto__` keys) of wrongly typed values. */
export const hostileJsonValue: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('null', 'true', '0', '-1', '1e309', '[]', '{}', '""', '"__proto__"', '{"$ne":1}', '{"__proto__":{"admin":true}}', '{"constructor":{"prototype":{"admin":true}}}', '["a","b"]', '[[[[[[[[[[1]]]]]]]]]]'),
  fc.string({ unit: 'binary', maxLength: 30 }).map((s) => JSON.stringify(s)),
  fc.string({ unit: 'grapheme', maxLength: 30 }).map((s) => JSON.stringify(s)),
  fc.constantFrom('"\\u0000"', '"\\ud800"', '"\\udfff\\ud800"', '"\\u202e\\ud83d\\ude00"', '"\\r\\nX: y"'),
  fc.integer({ min: 200, max: 20000 }).map((n) => JSON.stringify('a'.repeat(n))),
  fc.double().map((d) => (Number.isFinite(d) ? JSON.stringify(d) : 'null')),
);

/** A JSON object text: the valid body with fields replaced, dropped, duplicated, and polluting keys added. */
export function hostileJson(base: Record<string, unknown>): fc.Arbitrary<string> {
  const keys = Object.keys(base);
  const field = (key: string): fc.Arbitrary<string[]> =>
    fc.oneof(
      { weight: 3, arbitrary: fc.constant<string[]>([`${JSON.stringify(key)}:${JSON.stringify(base[key])}`]) },
      { weight: 1, arbitrary: fc.constant<string[]>([]) },
      { weight: 3, arbitrary: hostileJsonValue.map((v) => [`${JSON.stringify(key)}:${v}`]) },
      { weight: 1, arbitrary: hostileJsonValue.map((v) => [`${JSON.stringify(key)}:${JSON.stringify(base[key])}`, `${JSON.stringify(key)}:${v}`]) },
    );
  const extraKey = fc.oneof(fc.constantFrom('__proto__', 'constructor', 'prototype', 'client_id', 'owner_id', 'trusted', 'verified', 'grant_types', 'id', 'created_at', 'owner_user_id', ''), fc.string({ unit: 'binary', maxLength: 10 }));
  const extras = fc.array(fc.tuple(extraKey, hostileJsonValue).map(([k, v]) => `${JSON.stringify(k)}:${v}`), { maxLength: 3 });
  const object = fc.tuple(fc.tuple(...keys.map(field)), extras).map(([groups, more]) => `{${[...(groups as string[][]).flat(), ...more].join(',')}}`);
  return fc.oneof(
    { weight: 8, arbitrary: object },
    { weight: 1, arbitrary: hostileJsonValue },
    { weight: 1, arbitrary: object.map((s) => s.slice(0, Math.max(1, Math.floor(s.length / 2)))) }, // truncated
  );
}

/** How the parameters travel: in the query, as a form, or in a body of the wrong type. */
export type Carrier = 'query' | 'form' | 'form+query' | 'json' | 'text' | 'latin1';
export const carrier = (allowed: readonly Carrier[]): fc.Arbitrary<Carrier> => fc.constantFrom(...allowed);

export function requestFor(method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH', path: string, pairs: Pair[], how: Carrier, headers: Record<string, string> = {}): InjectOptions {
  const params = joinPairs(pairs);
  const options: InjectOptions = { method, url: path, headers: { ...headers }, remoteAddress: nextAddress() };
  const h = options.headers as Record<string, string>;
  switch (how) {
    case 'query':
      options.url = `${path}?${params}`;
      break;
    case 'form':
      h['content-type'] = 'application/x-www-form-urlencoded';
      options.payload = params;
      break;
    case 'form+query':
      // The same pairs on both sides: duplicates across query and body (SECURITY 40).
      options.url = `${path}?${params}`;
      h['content-type'] = 'application/x-www-form-urlencoded';
      options.payload = params;
      break;
    case 'json':
      h['content-type'] = 'application/json';
      options.payload = JSON.stringify(Object.fromEntries(pairs.map(([k, v]) => [safeDecode(k), safeDecode(v)])));
      break;
    case 'text':
      h['content-type'] = 'text/plain';
      options.payload = params;
      break;
    case 'latin1':
      h['content-type'] = 'application/x-www-form-urlencoded; charset=iso-8859-1';
      options.payload = params;
      break;
  }
  return options;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

// ---------------------------------------------------------------------------------------------
// State: every table a refused request must leave exactly as it was.

/**
 * Columns that legitimately move on a refused request: a session's sliding idle window, "last
 * used" stamps. Tables left out are logs of what was tried (audit_events, grant_actions,
 * grant_activity, app_error_counts), not state.
 */
const VOLATILE: Record<string, readonly string[]> = {
  sessions: ['last_seen_at', 'expires_at', 'ip', 'user_agent'],
  grants: ['last_used_at', 'last_used_ip'],
  app_secrets: ['last_used_at'],
};

export const FINGERPRINT_TABLES = [
  'users',
  'sessions',
  'user_totp',
  'recovery_codes',
  'pending_sign_ins',
  'organizations',
  'memberships',
  'former_memberships',
  'org_policies',
  'org_app_rules',
  'org_app_requests',
  'apps',
  'app_secrets',
  'app_logos',
  'registration_tokens',
  'grants',
  'grant_narrowings',
  'interactions',
  'authorization_codes',
  'refresh_tokens',
  'revocations',
  'signing_keys',
  'projects',
  'work_items',
  'work_item_comments',
  'repositories',
  'build_definitions',
  'builds',
] as const;

/** Per table, a digest of every row (volatile columns removed), read through the real database. */
export async function fingerprint(deps: Deps): Promise<Record<string, string>> {
  return Object.fromEntries(Object.entries(await tableRows(deps)).map(([table, lines]) => [table, `${lines.length}:${createHash('sha256').update(lines.join('\n')).digest('hex').slice(0, 16)}`]));
}

/** Per table, its rows as sorted JSON lines (volatile columns removed). */
export async function tableRows(deps: Deps): Promise<Record<string, string[]>> {
  const db = deps.database.db;
  const entries = await Promise.all(
    FINGERPRINT_TABLES.map(async (table) => {
      const { rows } = await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(db);
      const drop = VOLATILE[table] ?? [];
      const lines = rows
        .map((row) => JSON.stringify(Object.entries(row).filter(([k]) => !drop.includes(k)).sort(([a], [b]) => (a < b ? -1 : 1)), (_k, v) => (typeof v === 'bigint' ? String(v) : v)))
        .sort();
      return [table, lines] as const;
    }),
  );
  return Object.fromEntries(entries);
}

// ---------------------------------------------------------------------------------------------
// Checks.

/** RFC 6749 §4.1.2.1, §5.2; RFC 6750 §3.1; RFC 7009 §2.2.1; OIDC Core §3.1.2.6; RFC 7591 §3.2.2. */
export const OAUTH_ERRORS = new Set([
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_scope',
  'access_denied',
  'unsupported_response_type',
  'temporarily_unavailable',
  'invalid_token',
  'insufficient_scope',
  'unsupported_token_type',
  'login_required',
  'consent_required',
  'interaction_required',
  'account_selection_required',
  'request_not_supported',
  'request_uri_not_supported',
  'registration_not_supported',
  'invalid_request_uri',
  'invalid_request_object',
  'invalid_redirect_uri',
  'invalid_client_metadata',
  'slow_down',
]);

/** RFC 9457 problem `code`s of the platform API (src/api/problem.ts), server_error excluded. */
export const API_CODES = new Set([
  'invalid_request',
  'invalid_token',
  'token_expired',
  'grant_revoked',
  'insufficient_scope',
  'not_a_member',
  'org_policy_blocked',
  'not_found',
  'method_not_allowed',
  'unsupported_media_type',
  'precondition_failed',
  'precondition_required',
  'conflict',
  'rate_limited',
  'temporarily_unavailable',
]);

/** The developer portal's JSON API errors (src/portal/api/routes.ts; RFC 7591 codes for metadata). */
export const PORTAL_ERRORS = new Set([
  'forbidden',
  'login_required',
  'not_found',
  'invalid_client_metadata',
  'invalid_redirect_uri',
  'reauthentication_required',
  'invalid_request',
  'unsupported_media_type',
  'method_not_allowed',
  'too_many_requests',
]);

export type Family = 'oauth' | 'api' | 'portal' | 'page';

/**
 * What an internal error leaks (SECURITY 44). Sharper than helpers.ts's LEAK_MARKERS, whose
 * "at /" also matches an honest "Sign in at /developers/sign-in".
 */
const LEAKS: [string, RegExp][] = [
  ['a stack frame', /\bat (?:[\w.<>$[\] ]+ )?\(?(?:file:\/\/)?\/[\w./@-]+:\d+(?::\d+)?/],
  ['an error class', /\b(?:Type|Reference|Syntax|Range|Assertion)?Error: /],
  ['node_modules', /node_modules/],
  ['SQL', /\bSELECT\b[\s\S]{0,200}\bFROM\b|\bINSERT INTO\b|\bUPDATE \w+ SET\b|SQLITE_[A-Z]+|syntax error at or near|violates (?:unique|foreign key|check) constraint|relation "\w+"/i],
  ['a file path', /(?:\/work\/|\/home\/|\/usr\/(?:lib|local)\/|\/tmp\/tessera|\.ts:\d+)/],
];

/** Secrets a body must never carry (the fixture's client secret, password, tokens): registered per suite. */
export const SECRETS = new Set<string>();

export function assertNoLeak(res: LightMyRequestResponse, label: string): void {
  for (const [what, pattern] of LEAKS) assert.doesNotMatch(res.body, pattern, `${label}: the body shows ${what}:\n${res.body.slice(0, 500)}`);
  for (const secret of SECRETS) assert.ok(!res.body.includes(secret), `${label}: the body carries a secret`);
  assert.equal(res.headers['x-powered-by'], undefined, `${label}: X-Powered-By`);
  if (res.headers.server !== undefined) assert.doesNotMatch(String(res.headers.server), /\d/, `${label}: a versioned Server header`);
}

/** SECURITY 44: never a 5xx but 503, no leak, error fields in the RFC 6749 character set. */
export function checkAnswer(res: LightMyRequestResponse, family: Family, label: string, legit: readonly number[]): void {
  const status = res.statusCode;
  const ok = legit.includes(status) || [400, 401, 403, 404, 405, 409, 412, 413, 415, 422, 428, 429].includes(status);
  assert.ok(ok, `${label}: status ${status}\n${res.body.slice(0, 400)}`);
  assertNoLeak(res, label);
  assertErrorFields(res, label);
  for (const [name, value] of Object.entries(res.headers)) assert.doesNotMatch(String(value), /[\r\n]/, `${label}: header ${name} carries CR/LF`);
  const location = res.headers.location;
  if (typeof location === 'string') assert.ok(!/^(?:https?:)?\/\/evil\.example|^javascript:/i.test(location), `${label}: redirect to ${location}`);
  if (status < 400) return;
  const type = String(res.headers['content-type'] ?? '');
  if (family === 'page') {
    if (status !== 405) assert.match(type, /^text\/html/, `${label}: a ${status} page is HTML, got ${type}`);
    return;
  }
  assert.match(type, /json/, `${label}: a ${status} answer is JSON, got ${type}: ${res.body.slice(0, 200)}`);
  const body = res.json() as Record<string, unknown>;
  if (family === 'oauth') assert.ok(OAUTH_ERRORS.has(String(body.error)), `${label}: error ${String(body.error)} is not an OAuth error code`);
  // A path no API route matches gets the application-wide 404 (`error: not_found`), and a path the
  // router cannot read (bad percent-encoding, an over-long segment) its 400 invalid_request:
  // both are answered before the API's own handlers, so they are not problem documents.
  const beforeRouting = body.code === undefined && ((status === 404 && body.error === 'not_found') || (status === 400 && body.error === 'invalid_request'));
  if (family === 'api' && !beforeRouting) {
    assert.ok(API_CODES.has(String(body.code)), `${label}: problem code ${String(body.code)}: ${res.body.slice(0, 200)}`);
  }
  if (family === 'portal') assert.ok(PORTAL_ERRORS.has(String(body.error)), `${label}: portal error ${String(body.error)}: ${res.body.slice(0, 200)}`);
}

/**
 * Sends one generated request; checks the answer; and when `refused` says it was a refusal
 * (default: ≥ 400) proves that no row of any state table moved. The rows are re-read after every
 * request, so a success (which may change state) becomes the next request's baseline.
 */
export class StateGuard {
  private last: Record<string, string[]> | undefined;
  /** Statuses seen per group (the property's name), for the run's diagnostics. */
  readonly tally: Record<string, Record<number, number>> = {};
  group = 'all';
  constructor(private readonly t: TestApp) {}

  async reset(): Promise<void> {
    this.last = await tableRows(this.t.deps);
  }

  async send(options: InjectOptions, family: Family, label: string, legit: readonly number[], refused: (res: LightMyRequestResponse) => boolean = (r) => r.statusCode >= 400): Promise<LightMyRequestResponse> {
    if (!this.last) await this.reset();
    const res = await this.t.app.inject(options);
    if (process.env.FUZZ_DEBUG) console.error(`[fuzz] ${res.statusCode} ${label.slice(0, 200)}`);
    const seen = (this.tally[this.group] ??= {});
    seen[res.statusCode] = (seen[res.statusCode] ?? 0) + 1;
    const now = await tableRows(this.t.deps);
    const before = this.last!;
    // Re-based before asserting: shrinking replays cases, and each must be judged on its own.
    this.last = now;
    checkAnswer(res, family, label, legit);
    if (refused(res)) {
      const changed = Object.keys(now).filter((k) => JSON.stringify(now[k]) !== JSON.stringify(before[k]));
      const detail = changed.map((k) => `${k}:\n  before ${before[k]!.filter((l) => !now[k]!.includes(l)).join('\n  ').slice(0, 600)}\n  after  ${now[k]!.filter((l) => !before[k]!.includes(l)).join('\n  ').slice(0, 600)}`).join('\n');
      assert.deepEqual(changed, [], `${label}: a refused request (${res.statusCode}) changed ${changed.join(', ')}\n${detail}\n${res.body.slice(0, 300)}`);
    }
    return res;
  }
}

/** SECURITY 43: after a run, nothing was added to Object.prototype in this (the server's) process. */
export function assertPrototypeClean(): void {
  for (const key of ['admin', 'isAdmin', 'polluted', 'x']) {
    assert.equal(Object.prototype.hasOwnProperty.call(Object.prototype, key), false, `Object.prototype.${key} exists`);
    assert.equal(({} as Record<string, unknown>)[key], undefined, `({}).${key} is defined`);
  }
  assert.deepEqual(Object.getOwnPropertyNames(Object.prototype).sort(), BASELINE_PROTOTYPE, 'Object.prototype gained or lost properties');
}
const BASELINE_PROTOTYPE = Object.getOwnPropertyNames(Object.prototype).sort();
