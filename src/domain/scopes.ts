/**
 * The scope catalogue: the one place that names every scope, its plain sentence for the approval
 * page, and what it implies. Write implies read; `full_access` implies everything.
 * @module
 */

export interface ScopeInfo {
  /** One sentence a person reads on the approval page. */
  description: string;
  /** Marked on the approval page: writes and `full_access`. */
  highPrivilege: boolean;
  /** Scopes this one includes. */
  implies: readonly string[];
  /** OpenID Connect scopes shape ID tokens and userinfo; platform scopes open the API. */
  kind: 'openid' | 'platform';
}

/** Null-prototype: `SCOPES[name]` of a requested name such as `constructor` is undefined, not an inherited member. */
export const SCOPES: Readonly<Record<string, ScopeInfo>> = Object.assign(Object.create(null) as Record<string, ScopeInfo>, {
  openid: { description: 'Confirm who you are.', highPrivilege: false, implies: [], kind: 'openid' },
  profile: { description: 'See your name.', highPrivilege: false, implies: [], kind: 'openid' },
  email: { description: 'See your email address.', highPrivilege: false, implies: [], kind: 'openid' },
  // Issue 20: how long is the grant's lifetime, not this scope's; pages word it with `describeScope`.
  offline_access: {
    description: 'Keep this access when you are not using the service.',
    highPrivilege: false,
    implies: [],
    kind: 'openid',
  },
  'orgs:read': { description: 'See the organizations you belong to.', highPrivilege: false, implies: [], kind: 'platform' },
  'workitems:read': { description: 'Read work items in your organizations.', highPrivilege: false, implies: [], kind: 'platform' },
  'workitems:write': {
    description: 'Create, change and delete work items in your organizations.',
    highPrivilege: true,
    implies: ['workitems:read'],
    kind: 'platform',
  },
  'code:read': { description: 'Read source code in your organizations.', highPrivilege: false, implies: [], kind: 'platform' },
  'code:write': {
    description: 'Commit changes to source code in your organizations.',
    highPrivilege: true,
    implies: ['code:read'],
    kind: 'platform',
  },
  'builds:read': { description: 'See builds and their logs in your organizations.', highPrivilege: false, implies: [], kind: 'platform' },
  'builds:execute': {
    description: 'Start builds in your organizations.',
    highPrivilege: true,
    implies: ['builds:read'],
    kind: 'platform',
  },
  full_access: {
    // Issue 20: the organization choice limits it like every platform scope (api/org_access.ts), so it says "your organizations" too.
    description: 'Do everything you can do on the platform, in your organizations.',
    highPrivilege: true,
    implies: ['orgs:read', 'workitems:write', 'workitems:read', 'code:write', 'code:read', 'builds:execute', 'builds:read'],
    kind: 'platform',
  },
});

export const SUPPORTED_SCOPES: readonly string[] = Object.keys(SCOPES);

/**
 * How long a grant lasts, as a page knows it: until a formatted end date, until revoked, or still
 * to be chosen on the page itself (the approval page's "For how long").
 */
export type LifetimeWords = { until: string } | 'until_revoked' | 'chosen';

/**
 * A scope's sentence on a page. `offline_access` is worded from the grant's lifetime (issue 20):
 * "until you revoke it" would contradict a 7- or 30-day grant. Without a lifetime (a service's
 * registered scopes, not a grant), the catalogue's sentence.
 */
export function describeScope(scope: string, lifetime?: LifetimeWords): string {
  const description = SCOPES[scope]?.description ?? scope;
  if (scope !== 'offline_access' || lifetime === undefined) return description;
  const stem = description.replace(/\.$/, '');
  if (lifetime === 'chosen') return `${stem}, for as long as you choose.`;
  if (lifetime === 'until_revoked') return `${stem}, until you revoke it.`;
  return `${stem}, until ${lifetime.until} at the latest.`;
}

/** RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ), separated by single spaces. */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

/** Splits a scope parameter into distinct tokens, keeping first-seen order; undefined if malformed. */
export function parseScope(value: string): string[] | undefined {
  const tokens = value.split(' ').filter((t) => t !== '');
  if (!tokens.every((t) => SCOPE_TOKEN.test(t))) return undefined;
  return [...new Set(tokens)];
}

export function formatScope(scopes: Iterable<string>): string {
  return [...scopes].join(' ');
}

/** True when every requested scope is in `held`, directly or through what a held scope implies. */
export function covers(held: readonly string[], requested: readonly string[]): boolean {
  const effective = expandedOnce(held);
  return requested.every((s) => effective.has(s));
}

/** Expansions of frozen scope lists (an API call's principal, api/bearer.ts), made once each: they cannot change. */
const expansions = new WeakMap<readonly string[], Set<string>>();

function expandedOnce(held: readonly string[]): ReadonlySet<string> {
  if (!Object.isFrozen(held)) return expand(held);
  let effective = expansions.get(held);
  if (!effective) expansions.set(held, (effective = expand(held)));
  return effective;
}

/** The set of scopes `scopes` grant, with implications applied. */
export function expand(scopes: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (const s of scopes) {
    out.add(s);
    for (const implied of SCOPES[s]?.implies ?? []) out.add(implied);
  }
  return out;
}

/** Scopes in `requested` that `held` does not already cover: what a new approval must show. */
export function missingScopes(held: readonly string[], requested: readonly string[]): string[] {
  const effective = expand(held);
  return requested.filter((s) => !effective.has(s));
}

/**
 * What of `held` a grant that now allows only `allowed` still gives. Unchanged when all of it is
 * allowed; otherwise implications are spelled out first, so a token holding `workitems:write`
 * keeps `workitems:read` when only the write was taken away.
 */
export function narrowScopes(held: readonly string[], allowed: readonly string[]): string[] {
  if (covers(allowed, held)) return [...held];
  return [...expand(held)].filter((s) => covers(allowed, [s]));
}

/**
 * The scopes a person keeps when editing a grant: those ticked, less any that would still imply
 * one they unticked (keeping `full_access` while unticking `code:write` would keep the write).
 */
export function keptScopes(ticked: readonly string[]): string[] {
  return ticked.filter((s) => (SCOPES[s]?.implies ?? []).every((implied) => ticked.includes(implied)));
}

/** Every scope a grant gives, implications spelled out, in the catalogue's order. */
export function spelledOut(scopes: readonly string[]): string[] {
  const all = expand(scopes);
  return [...SUPPORTED_SCOPES.filter((s) => all.has(s)), ...scopes.filter((s) => !(s in SCOPES))];
}

/** Union in stable order: the scopes of a grant extended by a new approval. */
export function unionScopes(a: readonly string[], b: readonly string[]): string[] {
  return [...new Set([...a, ...b])];
}
