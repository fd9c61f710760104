/**
 * HTTP helpers for the reliability tests, which talk to real server processes over the network:
 * every call is timed and bounded, so a hung request shows up as a failure, never as a stuck test.
 */
import { basic } from '../support/codes.ts';
import type { TestClient } from '../support/fixtures.ts';

export interface Answer {
  status: number;
  retryAfter: string | null;
  body: Record<string, unknown>;
  /** Milliseconds from sending to the whole body read. */
  ms: number;
}

/** How long any one request may take before the test calls it hung. */
export const HANG_MS = 20000;

/** POSTs a form as a confidential client; throws on a network error (refused, reset, hung). */
export async function postForm(base: string, path: string, client: TestClient, fields: Record<string, string>): Promise<Answer> {
  const started = Date.now();
  const res = await fetch(base + path, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(client.clientId, client.clientSecret!) },
    body: new URLSearchParams(fields).toString(),
    signal: AbortSignal.timeout(HANG_MS),
  });
  const text = await res.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = { text };
  }
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body, ms: Date.now() - started };
}

export async function getJson(base: string, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  const started = Date.now();
  const res = await fetch(base + path, { headers, signal: AbortSignal.timeout(HANG_MS) });
  const text = await res.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = { text };
  }
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body, ms: Date.now() - started };
}

export interface TokenSet {
  access_token: string;
  refresh_token: string;
}

export const exchange = (base: string, client: TestClient, code: { code: string; verifier: string }, redirectUri: string) =>
  postForm(base, '/token', client, { grant_type: 'authorization_code', code: code.code, code_verifier: code.verifier, redirect_uri: redirectUri });

export const refreshAt = (base: string, client: TestClient, refreshToken: string) =>
  postForm(base, '/token', client, { grant_type: 'refresh_token', refresh_token: refreshToken });

export const introspectAt = (base: string, client: TestClient, token: string) => postForm(base, '/introspect', client, { token });

export const revokeAt = (base: string, client: TestClient, token: string) => postForm(base, '/revoke', client, { token });

/** The p-th percentile (0–100) of a list of numbers, nearest rank. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
