/**
 * Friction where the risk is (issue 20): a service whose publisher Tessera has not verified and
 * that asks for a high-privilege scope (domain/scopes.ts) gets a page of its own before the
 * approval page, "This service has not been verified", with "Back to safety" as the primary
 * button (Google's unverified-app screen). It is a step of the pending authorization: passing it
 * is a POST that records `warnedAt` on the interaction, and an approval posted before that is
 * refused (services/interactions.ts `decideApproval`), so it cannot be skipped by posting the
 * approval form directly. A read-only unverified service keeps the banner on the approval page.
 * @module
 */
import type { App } from '../domain/apps.ts';
import type { Interaction } from '../domain/interactions.ts';
import { SCOPES } from '../domain/scopes.ts';

/** The high-privilege scopes among `scopes` (those the approval page shows). */
export function highPrivilegeScopes(scopes: readonly string[]): string[] {
  return scopes.filter((scope) => SCOPES[scope]?.highPrivilege === true);
}

/** Whether this approval must first show the warning: an unverified publisher, high-privilege scopes shown, not passed yet. */
export function warningPending(app: Pick<App, 'verified'>, interaction: Pick<Interaction, 'warnedAt'>, shownScopes: readonly string[]): boolean {
  return !app.verified && interaction.warnedAt == null && highPrivilegeScopes(shownScopes).length > 0;
}
