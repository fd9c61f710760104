/** The scenarios of issue 7, in the order the table shows them. */
export const SCENARIOS = {
  // First, so the ratio of (1) to it compares figures taken one after the other.
  hello: 'hello (ceiling)',
  api_read: '(1) API read, valid token',
  // Issue 18: right after (1), so the ratio compares figures taken one after the other.
  api_read_dpop: '(1b) API read, DPoP-bound token',
  refresh: '(2) token: refresh_token, rotated',
  code_exchange: '(3) token: authorization_code',
  authorize: '(4) authorize, signed in + grant',
  introspect: '(5) introspection',
  jwks_metadata: '(6) JWKS + metadata',
  login: '(7) sign-in with password',
  // Issue 7: the token endpoint's p99 while sign-ins run at the password-hashing limit.
  refresh_with_signins: '(2) refresh during (7) at full load',
  // Issue 7: a revoke at one node refused by another within 100 ms at p99 (revoke_propagation.ts).
  revoke_propagation: 'revoke at node A, 401 at node B',
  // Issue 21: a suspension written next to node A refused by node B within 100 ms at p99 (suspend_propagation.ts).
  suspend_propagation: 'suspend at node A, 401 at node B',
  // Issue 14: from the spawn of `npm start` to /readyz 200, current build (cold_start.ts); last, so
  // a scaled target's server can stop for it once its load scenarios are done.
  cold_start: 'cold start, empty data dir → /readyz',
  cold_restart: 'restart, existing data → /readyz',
} as const;

export type ScenarioId = keyof typeof SCENARIOS;

/** What every OAuth server under test offers the scenarios: its paths, client and seeding. */
export interface OAuthServer {
  paths: { token: string; introspect: string; authorize: string; jwks: string; metadata: string };
  clientId: string;
  /** `n` unused authorization codes for the client, PKCE verifier VERIFIER, redirect_uri CLIENT.redirectUri. */
  mintCodes(n: number): Promise<string[]>;
  /** A token the client may introspect and that is active. */
  introspectionToken(): Promise<string>;
  /** The Cookie header of a browser that has signed in and holds a grant for the client. */
  signedInCookie(): Promise<string>;
}
