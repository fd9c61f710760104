/**
 * Shared checks for the SECURITY.md suite (test/security): what a refusal may look like, what an
 * error may say, what a response may never carry, and row counts read from the real database to
 * prove a refused request changed nothing.
 */
import assert from 'node:assert/strict';
import type { Deps } from '../../src/deps.ts';

/** Refusal statuses SECURITY 44 allows. */
export const REFUSALS = [400, 401, 403, 404, 405, 413, 415, 429, 503] as const;

/** RFC 6749 §5.2: error and error_description use %x20-21 / %x23-5B / %x5D-7E only. */
export const ERROR_CHARSET = /^[\x20-\x21\x23-\x5B\x5D-\x7E]*$/;

/** What an internal error leaks: stack frames, SQL, paths, class names. */
export const LEAK_MARKERS = ['Error:', 'at /', 'SELECT', 'node_modules'] as const;

export interface Answer {
  statusCode: number;
  headers: Record<string, unknown>;
  body: string;
}

/** SECURITY 44: nothing in the body or the headers says what runs behind, or where it broke. */
export function assertNoLeak(res: Answer, label: string): void {
  for (const marker of LEAK_MARKERS) assert.ok(!res.body.includes(marker), `${label}: the body contains ${JSON.stringify(marker)}:\n${res.body.slice(0, 500)}`);
  assert.equal(res.headers['x-powered-by'], undefined, `${label}: X-Powered-By`);
  const server = res.headers.server;
  if (server !== undefined) assert.doesNotMatch(String(server), /\d/, `${label}: a versioned Server header`);
}

/** SECURITY 44: error fields in a JSON body and in a redirect use the RFC 6749 character set. */
export function assertErrorFields(res: Answer, label: string): void {
  const type = String(res.headers['content-type'] ?? '');
  if (type.includes('json') && res.body !== '') {
    let body: unknown;
    try {
      body = JSON.parse(res.body);
    } catch {
      assert.fail(`${label}: a JSON content type with a body that is not JSON: ${res.body.slice(0, 200)}`);
    }
    if (body !== null && typeof body === 'object') {
      for (const field of ['error', 'error_description'] as const) {
        const value: unknown = (body as Record<string, unknown>)[field];
        if (value !== undefined) {
          assert.equal(typeof value, 'string', `${label}: ${field} is not a string`);
          assert.match(value as string, ERROR_CHARSET, `${label}: ${field}`);
        }
      }
    }
  }
  const location = res.headers.location;
  if (typeof location === 'string' && /^https?:/.test(location)) {
    const url = new URL(location);
    for (const field of ['error', 'error_description']) {
      const value = url.searchParams.get(field);
      if (value !== null) assert.match(value, ERROR_CHARSET, `${label}: ${field} in Location`);
    }
  }
}

/** Tables whose rows are state a refused request must never create or change. */
export const STATE_TABLES = [
  'users',
  'sessions',
  'apps',
  'app_secrets',
  'grants',
  'authorization_codes',
  'refresh_tokens',
  'revocations',
  'signing_keys',
] as const;

export type StateTable = (typeof STATE_TABLES)[number];

/** Row counts of every state table, read through the real database handle. */
export async function countRows(deps: Deps): Promise<Record<StateTable, number>> {
  const out = {} as Record<StateTable, number>;
  for (const table of STATE_TABLES) {
    const row = await deps.database.db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .executeTakeFirstOrThrow();
    out[table] = Number(row.n);
  }
  return out;
}

/** A fresh documentation-range address per call, so refusals never add up to one client's throttle. */
let addressCounter = 0;
export function nextAddress(): string {
  addressCounter++;
  return `198.51.${Math.floor(addressCounter / 250) % 250}.${(addressCounter % 250) + 1}`;
}
