/**
 * What happens once the person is signed in: a refused request is answered now; a live grant
 * that covers every requested scope gets a code without asking again (unless prompt=consent);
 * otherwise the person is asked (OIDC Core §3.1.2.4, SECURITY 27).
 * @module
 */
import type { Deps } from '../../deps.ts';
import type { App } from '../../domain/apps.ts';
import type { AuthorizationRequest, Interaction } from '../../domain/interactions.ts';
import type { SignedIn } from '../../services/accounts/sessions.ts';
import { covers } from '../../domain/scopes.ts';
import { ConsentRequired } from '../errors.ts';
import { InteractionExpired } from '../../services/interactions.ts';
import { errorRedirect, type Outcome } from './respond.ts';
import { issueCode } from './issue_code.ts';

/**
 * The common case answered without storing an interaction: a live grant covers every requested
 * scope and no prompt asks again, so the code is issued at once. Storing an interaction only to
 * consume it in the same request cost two writes (two of seven round trips; docs/performance.md).
 * Undefined when the person must be asked: the caller stores an interaction and calls `proceed`.
 */
export async function codeFromLiveGrant(
  deps: Pick<Deps, 'config' | 'clock' | 'stores' | 'suspensions' | 'formKey'>,
  app: App,
  request: AuthorizationRequest,
  signedIn: SignedIn,
): Promise<Outcome | undefined> {
  if (request.prompt.includes('consent')) return undefined;
  const now = deps.clock.now();
  const grant = await deps.stores.grants.findLive(signedIn.user.id, app.id, now);
  if (!grant || !covers(grant.scopes, request.scopes)) return undefined;
  // Never stored: nothing refers to it, and the code is bound to the request it carries.
  const transient: Interaction = { id: '', appId: app.id, request, sessionId: signedIn.session.id, createdAt: now, expiresAt: now, consumedAt: now };
  return { type: 'redirect', url: await issueCode(deps, transient, signedIn.session, grant.id) };
}

export async function proceed(
  deps: Pick<Deps, 'config' | 'clock' | 'stores' | 'suspensions' | 'formKey'>,
  app: App,
  interaction: Interaction,
  signedIn: SignedIn,
): Promise<Outcome> {
  const { request } = interaction;
  const now = deps.clock.now();
  const issuer = deps.config.issuer;
  if (request.refused) {
    await deps.stores.interactions.consume(interaction.id, now);
    return errorRedirect(request, issuer, request.refused);
  }
  const grant = await deps.stores.grants.findLive(signedIn.user.id, app.id, now);
  if (grant && covers(grant.scopes, request.scopes) && !request.prompt.includes('consent')) {
    // Consumed first: the same interaction never yields two codes.
    if (!(await deps.stores.interactions.consume(interaction.id, now))) {
      return { type: 'error_page', error: new InteractionExpired('interaction already used'), app };
    }
    return { type: 'redirect', url: await issueCode(deps, interaction, signedIn.session, grant.id) };
  }
  if (request.prompt.includes('none')) {
    await deps.stores.interactions.consume(interaction.id, now);
    return errorRedirect(request, issuer, new ConsentRequired());
  }
  return { type: 'approval', app, interaction, signedIn, grant };
}
