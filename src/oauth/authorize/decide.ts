/**
 * The person's decision on the approval page, once the form has passed its checks
 * (interaction/consent/route.ts): approve extends or creates the grant and issues a code; deny
 * answers access_denied at the verified redirect URI (RFC 6749 §4.1.2.1, SECURITY 3).
 * @module
 */
import type { Deps } from '../../deps.ts';
import type { Interaction } from '../../domain/interactions.ts';
import type { SignedIn } from '../../core/sessions.ts';
import { AccessDenied } from '../errors.ts';
import { issueCode } from './issue_code.ts';
import { responseUrl } from './respond.ts';

/** The redirect URL that answers the client. The caller has consumed the interaction. */
export async function decide(
  deps: Pick<Deps, 'config' | 'clock' | 'stores'>,
  interaction: Interaction,
  signedIn: SignedIn,
  approved: boolean,
): Promise<string> {
  const { request } = interaction;
  if (!approved) {
    const denied = new AccessDenied();
    return responseUrl(request, deps.config.issuer, { error: denied.error, error_description: denied.description });
  }
  const grant = await deps.stores.grants.approve(signedIn.user.id, interaction.appId, request.scopes, deps.clock.now());
  return issueCode(deps, interaction, signedIn.session, grant.id);
}
