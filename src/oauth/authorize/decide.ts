/**
 * The person's decision on the approval page, once the form has passed its checks
 * (interaction/consent/route.ts): approve extends or creates the grant on the terms chosen and
 * issues a code; deny answers access_denied at the verified redirect URI (RFC 6749 §4.1.2.1,
 * SECURITY 3).
 * @module
 */
import type { Decide } from '../../services/interactions.ts';
import { AccessDenied } from '../errors.ts';
import { issueCode } from './issue_code.ts';
import { refuseSuspendedApp } from './check_client.ts';
import { responseUrl } from './respond.ts';

/** The redirect URL that answers the client; `choice` undefined means Deny. The caller has consumed the interaction. */
export const decide: Decide = async (deps, interaction, signedIn, choice, event) => {
  const { request } = interaction;
  if (!choice) {
    const denied = new AccessDenied();
    return responseUrl(request, deps.config.issuer, { error: denied.error, error_description: denied.description });
  }
  // Issue 21: suspended while the page was open — no grant, no code, the plain page.
  refuseSuspendedApp(deps, interaction.appId);
  const now = deps.clock.now();
  const narrowingUntil = now + deps.config.ttl.accessToken;
  const grant = await deps.stores.grants.approve(signedIn.user.id, interaction.appId, choice.scopes, now, { ...choice.terms, narrowingUntil }, event);
  // Scopes or organizations taken away: the store recorded it; tell every node now, not at the next poll.
  if (grant.narrowed) {
    await deps.revoker.announceNarrowing({ grantId: grant.id, scopes: grant.scopes, orgIds: grant.orgIds, narrowedAt: now, expiresAt: narrowingUntil });
  }
  return issueCode(deps, interaction, signedIn.session, grant.id, choice.scopes);
};
