/**
 * Authorization codes for token-endpoint tests, stored through the real token store exactly the
 * way the authorization endpoint stores them, plus small helpers to call the back-channel endpoints.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import type { Deps } from '../../src/deps.ts';
import type { User } from '../../src/domain/users.ts';
import { digest } from '../../src/crypto/digest.ts';
import { randomId, randomToken } from '../../src/crypto/random.ts';
import type { TestClient } from './fixtures.ts';
import type { TestApp } from './app.ts';

export interface IssuedTestCode {
  code: string;
  verifier: string;
  grantId: string;
  familyId: string;
}

export interface TestCodeOptions {
  client: TestClient;
  user: User;
  scopes: string[];
  /** The redirect_uri the authorization request carried; omit for a request that carried none. */
  redirectUri?: string;
  nonce?: string;
  /** Seconds since the epoch the person signed in; default now. */
  authTime?: number;
  /** RFC 9449 §10: the DPoP key thumbprint the authorization request bound the code to. */
  dpopJkt?: string;
}

/** base64url(SHA-256(verifier)) (RFC 7636 §4.2). */
export function s256(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

/** Approves the grant (as the consent page would) and stores a code for it. */
export async function issueTestCode(deps: Deps, options: TestCodeOptions): Promise<IssuedTestCode> {
  const now = deps.clock.now();
  const grant = await deps.stores.grants.approve(options.user.id, options.client.clientId, options.scopes, now);
  const code = randomToken('authorizationCode');
  const verifier = randomBytes(32).toString('base64url');
  const familyId = randomId();
  await deps.stores.tokens.createCode({
    id: digest(code),
    appId: options.client.clientId,
    userId: options.user.id,
    grantId: grant.id,
    familyId,
    redirectUri: options.redirectUri ?? '',
    scopes: options.scopes,
    codeChallenge: s256(verifier),
    nonce: options.nonce ?? null,
    authTime: options.authTime ?? now,
    amr: ['pwd'],
    createdAt: now,
    expiresAt: now + deps.config.ttl.authorizationCode,
    consumedAt: null,
    dpopJkt: options.dpopJkt ?? null,
  });
  return { code, verifier, grantId: grant.id, familyId };
}

/** `Authorization: Basic` with id and secret form-urlencoded first (RFC 6749 §2.3.1). */
export function basic(clientId: string, secret: string): string {
  const encode = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');
  return 'Basic ' + Buffer.from(`${encode(clientId)}:${encode(secret)}`).toString('base64');
}

/** The client's own authentication: Basic for confidential clients, client_id in the body for public ones. */
export function clientAuth(client: TestClient): { headers: Record<string, string>; body: Record<string, string> } {
  if (client.clientSecret === undefined) return { headers: {}, body: { client_id: client.clientId } };
  return { headers: { authorization: basic(client.clientId, client.clientSecret) }, body: {} };
}

/** POSTs a form to an endpoint as `client` (or with the given extra headers only, when `client` is null). */
export async function postForm(
  t: TestApp,
  url: string,
  client: TestClient | null,
  form: Record<string, string>,
  headers: Record<string, string> = {},
) {
  const auth = client ? clientAuth(client) : { headers: {}, body: {} };
  return t.app.inject({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...auth.headers, ...headers },
    payload: new URLSearchParams({ ...auth.body, ...form }).toString(),
  });
}

/** Redeems a code at /token as its client. */
export function exchangeCode(t: TestApp, client: TestClient, issued: { code: string; verifier: string }, extra: Record<string, string> = {}) {
  return postForm(t, '/token', client, { grant_type: 'authorization_code', code: issued.code, code_verifier: issued.verifier, ...extra });
}

/** Refreshes at /token as `client`. */
export function refresh(t: TestApp, client: TestClient, refreshToken: string, extra: Record<string, string> = {}) {
  return postForm(t, '/token', client, { grant_type: 'refresh_token', refresh_token: refreshToken, ...extra });
}

/** Introspects `token` as `client` (a confidential client). */
export async function introspect(t: TestApp, client: TestClient, token: string): Promise<Record<string, unknown>> {
  const res = await postForm(t, '/introspect', client, { token });
  if (res.statusCode !== 200) throw new Error(`introspection answered ${res.statusCode}: ${res.body}`);
  return res.json() as Record<string, unknown>;
}

/** A token response from /token, with the grant and family it was issued under. */
export interface ObtainedTokens {
  access_token: string;
  refresh_token: string;
  id_token?: string;
  scope: string;
  grantId: string;
  familyId: string;
}

/** Approves, stores a code and redeems it as `options.client`; fails the test unless /token answers 200. */
export async function obtainTokens(t: TestApp, options: TestCodeOptions): Promise<ObtainedTokens> {
  const issued = await issueTestCode(t.deps, options);
  const res = await exchangeCode(t, options.client, issued);
  assert.equal(res.statusCode, 200, res.body);
  return { ...(res.json() as Omit<ObtainedTokens, 'grantId' | 'familyId'>), grantId: issued.grantId, familyId: issued.familyId };
}
