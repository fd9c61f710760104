/**
 * What a grant becomes when its person decides something about it: on the approval page (they
 * approve scopes and may choose organizations and a lifetime) or under "Manage applications"
 * (they take scopes or organizations away). One pure rule, used by the pages to tell what a
 * decision changes and by the grant store, inside its transaction, against the row it read.
 *
 * The rule: **a dimension the person was not shown never changes.** The scopes already granted,
 * the organizations and the end stay exactly as they were unless the page showed that dimension
 * and the person changed it there. A decision says so explicitly: `'keep'` for a dimension that
 * was not shown (or left "as before"), never a default that happens to mean "all".
 * @module
 */
import { SCOPES, covers, spelledOut, unionScopes } from './scopes.ts';

/** What the person decided on the approval page, beyond the scopes the code carries. */
export interface ApprovalTerms {
  /**
   * Scopes the page showed with a checkbox and the person unticked. A grant that held one loses
   * it (and any scope that would still imply it). Absent: none.
   */
  withdrawn?: readonly string[];
  /**
   * The organizations, when the page offered the choice: null = all, now and later; a list = only
   * those. `'keep'` when it did not: the grant's organizations stay as they are (a new grant
   * covers every organization, which is what the page says when it asks nothing).
   */
  orgIds: readonly string[] | null | 'keep';
  /** The grant's end, when the person picked a lifetime: null = until revoked. `'keep'` otherwise ("as before"). */
  expiresAt: number | null | 'keep';
}

/** The decision a posted approval form stands for. */
export interface ApprovalChoice {
  /** The scopes the code carries and the grant gains: what was asked, less what the person unticked. */
  scopes: string[];
  terms: ApprovalTerms;
}

/** The part of a grant a decision can change. */
export interface GrantShape {
  scopes: readonly string[];
  /** null = every organization the person belongs to, now and later. */
  orgIds: readonly string[] | null;
  /** null = until revoked. */
  expiresAt: number | null;
}

/**
 * A change to a grant:
 * - `approval`: the scopes approved are added; `terms` (absent = every dimension kept) as above;
 * - `narrowing` ("Manage applications"): the grant keeps only what it holds within `scopes` and
 *   `orgIds` (null = no limit on organizations). It never adds anything, even if the grant changed
 *   since the page was read.
 * - `adding_organizations` ("Manage applications", issue 20: an organization left out is added
 *   back): the grant's organizations gain `orgIds`; its scopes and end stay as they are, and a
 *   grant covering every organization stays so. Nothing else can widen through it.
 */
export type GrantChange =
  | { kind: 'approval'; scopes: readonly string[]; terms?: ApprovalTerms }
  | { kind: 'narrowing'; scopes: readonly string[]; orgIds: readonly string[] | null }
  | { kind: 'adding_organizations'; orgIds: readonly string[] };

export interface GrantOutcome extends GrantShape {
  /** True when an existing grant lost scopes or organizations: tokens in hand must shrink too. */
  narrowed: boolean;
  /**
   * True when an existing grant gained scopes or organizations: the person is told, as for a new
   * grant (issue 15, a security notice). A longer lifetime alone is not a widening.
   */
  widened: boolean;
  /**
   * True when an existing grant held `offline_access` (itself or through an implying scope) and no
   * longer does: the refresh tokens it gave must end with it (OIDC Core §11), or the service would
   * keep acting while the person is away after being told it may not.
   */
  offlineAccessEnded: boolean;
}

/** What `grant` (undefined: none yet) becomes after `change`. */
export function grantAfter(grant: GrantShape | undefined, change: GrantChange): GrantOutcome {
  const before: GrantShape = grant ?? { scopes: [], orgIds: null, expiresAt: null };
  let after: GrantShape;
  if (change.kind === 'approval') {
    const terms = change.terms ?? { orgIds: 'keep', expiresAt: 'keep' };
    after = {
      scopes: unionScopes(withoutScopes(before.scopes, terms.withdrawn ?? []), change.scopes),
      orgIds: terms.orgIds === 'keep' ? before.orgIds : terms.orgIds,
      expiresAt: terms.expiresAt === 'keep' ? before.expiresAt : terms.expiresAt,
    };
  } else if (change.kind === 'adding_organizations') {
    const orgIds = before.orgIds === null ? null : [...before.orgIds, ...change.orgIds.filter((id) => !before.orgIds!.includes(id))];
    after = { scopes: before.scopes, orgIds, expiresAt: before.expiresAt };
  } else {
    after = {
      scopes: withinScopes(before.scopes, change.scopes),
      orgIds: meetOrgs(before.orgIds, change.orgIds),
      expiresAt: before.expiresAt,
    };
  }
  const narrowed = grant !== undefined && (!covers(after.scopes, before.scopes) || orgsNarrowed(before.orgIds, after.orgIds));
  const widened = grant !== undefined && (!covers(before.scopes, after.scopes) || orgsNarrowed(after.orgIds, before.orgIds));
  const offlineAccessEnded = grant !== undefined && covers(before.scopes, ['offline_access']) && !covers(after.scopes, ['offline_access']);
  return { scopes: [...after.scopes], orgIds: after.orgIds === null ? null : [...after.orgIds], expiresAt: after.expiresAt, narrowed, widened, offlineAccessEnded };
}

/** True when `next` takes something away from `current` (an organization list is narrower than null). */
export function orgsNarrowed(current: readonly string[] | null, next: readonly string[] | null): boolean {
  if (next === null) return false;
  if (current === null) return true;
  return current.some((id) => !next.includes(id));
}

/** The scopes the person keeps from a page's checkboxes: those asked, less the unticked ones and any that would imply one. */
export function approvedScopes(requested: readonly string[], unticked: readonly string[]): string[] {
  return requested.filter((s) => !impliesAny(s, unticked));
}

/** `held` without `removed`, and without what would still imply one of them; unchanged when it held none. */
function withoutScopes(held: readonly string[], removed: readonly string[]): readonly string[] {
  if (!removed.some((s) => covers(held, [s]))) return held;
  return spelledOut(held).filter((s) => !impliesAny(s, removed));
}

/** What of `held` stays within `allowed`: unchanged when all of it does. */
function withinScopes(held: readonly string[], allowed: readonly string[]): readonly string[] {
  if (covers(allowed, held)) return held;
  return spelledOut(held).filter((s) => covers(allowed, [s]));
}

/** The organizations both allow (null allows every one). */
function meetOrgs(a: readonly string[] | null, b: readonly string[] | null): readonly string[] | null {
  if (a === null) return b;
  if (b === null) return a;
  return a.filter((id) => b.includes(id));
}

/** True when `scope` is one of `scopes` or implies one of them. */
function impliesAny(scope: string, scopes: readonly string[]): boolean {
  return [scope, ...(SCOPES[scope]?.implies ?? [])].some((s) => scopes.includes(s));
}
