/**
 * What the person may choose on the approval page besides Approve or Deny, as form fields, and
 * how a posted form becomes a decision. Only what the page offered can be chosen: scopes among
 * those asked for (OIDC Core §3.1.2.4: the person may grant less; RFC 6749 §3.3 then echoes the
 * narrower scope, SECURITY 26), organizations among those the person belongs to, and one of the
 * listed lifetimes. Anything else in the form is ignored.
 * @module
 */
import type { Grant, GrantTerms } from '../../domain/grants.ts';
import type { Params } from '../../oauth/params.ts';
import { SCOPES } from '../../domain/scopes.ts';

const DAY = 86_400;

/** Grant lifetimes a person can pick, in seconds; null is "until I revoke it". */
export const LIFETIMES = { forever: null, '30d': 30 * DAY, '7d': 7 * DAY } as const;
export type LifetimeChoice = keyof typeof LIFETIMES | 'keep';

/** `openid` is the sign-in itself, not a permission to take away. */
export function isOptional(scope: string): boolean {
  return scope !== 'openid';
}

/** Platform scopes reach into organizations; only then does the page ask which ones. */
export function reachesOrganizations(scopes: readonly string[]): boolean {
  return scopes.some((s) => SCOPES[s]?.kind === 'platform');
}

export const scopeField = (scope: string) => `scope_${scope}`;
export const orgField = (orgId: string) => `org_${orgId}`;

/** The form fields a decision may carry for this request. */
export function choiceFields(shownScopes: readonly string[], orgIds: readonly string[]): string[] {
  return ['orgs', 'lifetime', ...shownScopes.filter(isOptional).map(scopeField), ...orgIds.map(orgField)];
}

export interface ApprovalChoice {
  /** The scopes the code carries: what was asked, less what the person unticked. */
  scopes: string[];
  terms: GrantTerms;
}

export interface ChoiceContext {
  requested: readonly string[];
  /** The scopes shown with a checkbox (the new ones). */
  shown: readonly string[];
  /** Organizations the page offered: the person's, less those whose policy excludes the service. */
  orgIds: readonly string[];
  grant: Grant | undefined;
  now: number;
}

/** The decision a posted approval form stands for. */
export function readChoice(form: Params<string>, ctx: ChoiceContext): ApprovalChoice {
  const unticked = new Set(ctx.shown.filter((s) => isOptional(s) && form[scopeField(s)] === undefined));
  const scopes = ctx.requested.filter((s) => !unticked.has(s));
  // Unticking an organization means "not this one", even if the radio still says all of them; a form
  // with no organization fields at all (nothing to choose) covers every organization.
  const ticked = ctx.orgIds.filter((id) => form[orgField(id)] !== undefined);
  const some = form.orgs === 'some' || (form.orgs === 'all' && ticked.length < ctx.orgIds.length);
  const orgIds = some ? ticked : null;
  return { scopes, terms: { orgIds, expiresAt: lifetimeEnd(form.lifetime, ctx) } };
}

function lifetimeEnd(choice: string | undefined, ctx: ChoiceContext): number | null {
  if (choice === '30d' || choice === '7d') return ctx.now + LIFETIMES[choice];
  if (choice === 'forever') return null;
  // "As before" (or nothing chosen): an existing grant keeps its end; a new one lasts until revoked.
  return ctx.grant?.expiresAt ?? null;
}
