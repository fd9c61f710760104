/**
 * What the person may choose on the approval page besides Approve or Deny, as form fields, and
 * how a posted form becomes a decision. Only what the page offered can be chosen: scopes among
 * those asked for (OIDC Core §3.1.2.4: the person may grant less; RFC 6749 §3.3 then echoes the
 * narrower scope, SECURITY 26), organizations among those the person belongs to, and one of the
 * listed lifetimes. Anything else in the form is ignored, and a dimension the page did not show
 * is `'keep'`: it never changes (domain/approval.ts).
 * @module
 */
import type { ApprovalChoice, ApprovalTerms } from '../../domain/approval.ts';
import { approvedScopes } from '../../domain/approval.ts';
import type { Params } from '../../http/params.ts';
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

/** What the approval page showed the person, and so what a posted form may change. */
export interface Shown {
  /** The scopes listed; each but `openid` with a checkbox. */
  scopes: readonly string[];
  /**
   * The organizations offered as checkboxes under the "All / Only the ones I tick" choice;
   * undefined when the page offered no organization choice (nothing asked reaches into
   * organizations, or the person belongs to none).
   */
  orgIds: readonly string[] | undefined;
  /** Whether the page offered lifetimes. */
  lifetimes: boolean;
}

/** The form fields a decision may carry for this page. */
export function choiceFields(shown: Shown): string[] {
  return [
    ...(shown.orgIds === undefined ? [] : ['orgs', ...shown.orgIds.map(orgField)]),
    ...(shown.lifetimes ? ['lifetime'] : []),
    ...shown.scopes.filter(isOptional).map(scopeField),
  ];
}

export interface ChoiceContext {
  requested: readonly string[];
  shown: Shown;
  now: number;
}

/** The decision a posted approval form stands for. */
export function readChoice(form: Params<string>, ctx: ChoiceContext): ApprovalChoice {
  const { shown } = ctx;
  const withdrawn = shown.scopes.filter((s) => isOptional(s) && form[scopeField(s)] === undefined);
  const terms: ApprovalTerms = {
    withdrawn,
    orgIds: shown.orgIds === undefined ? 'keep' : orgChoice(form, shown.orgIds),
    expiresAt: shown.lifetimes ? lifetimeEnd(form.lifetime, ctx.now) : 'keep',
  };
  return { scopes: approvedScopes(ctx.requested, withdrawn), terms };
}

/**
 * All (null) only when the person left "All my organizations" with every one ticked: unticking an
 * organization means "not this one", even if the radio still says all of them. A form that made no
 * choice at all keeps what the grant had.
 */
function orgChoice(form: Params<string>, offered: readonly string[]): string[] | null | 'keep' {
  if (form.orgs !== 'all' && form.orgs !== 'some') return 'keep';
  const ticked = offered.filter((id) => form[orgField(id)] !== undefined);
  return form.orgs === 'all' && ticked.length === offered.length ? null : ticked;
}

/** "As before" (or nothing chosen) keeps the grant's end; a new grant then lasts until revoked. */
function lifetimeEnd(choice: string | undefined, now: number): number | null | 'keep' {
  if (choice === '30d' || choice === '7d') return now + LIFETIMES[choice];
  if (choice === 'forever') return null;
  return 'keep';
}
