/** The pending request between /authorize, sign-in and approval (domain/interactions.ts). */
import type { AppOptions, Deps } from '../deps.ts';
import type { ApprovalChoice } from '../domain/approval.ts';
import type { AuditEvent } from '../domain/audit.ts';
import type { SignedIn } from './accounts/sessions.ts';
import type { App } from '../domain/apps.ts';
import type { AuthorizationRequest, Interaction } from '../domain/interactions.ts';
import { randomId } from '../crypto/random.ts';
import { OAuthError } from '../oauth/errors.ts';

/** Where sign-in returns to continue a pending authorization. */
export const RESUME_PATH = '/authorize/resume';

export function resumeUrl(interactionId: string): string {
  return `${RESUME_PATH}?${new URLSearchParams({ interaction: interactionId })}`;
}

/** The pending request is unknown, expired or finished: shown as a page, never redirected. */
export class InteractionExpired extends OAuthError {
  readonly error = 'invalid_request';
  readonly statusCode = 400;
  readonly description = 'This sign-in request has expired or was already completed. Go back to the app and start again.';
  override readonly allowRedirect = false;
}

export async function createInteraction(
  deps: Pick<Deps, 'config' | 'clock' | 'stores'>,
  app: App,
  request: AuthorizationRequest,
  sessionId: string | null,
): Promise<Interaction> {
  const now = deps.clock.now();
  const interaction: Interaction = {
    // 128 random bits: the id is a handle in URLs, and it is useless without the bound session.
    id: randomId(),
    appId: app.id,
    request,
    sessionId,
    createdAt: now,
    expiresAt: now + deps.config.ttl.interaction,
    consumedAt: null,
  };
  await deps.stores.interactions.create(interaction);
  return interaction;
}

/** The interaction and its app, when it exists, has not expired and was not used yet. */
export async function loadLiveInteraction(
  deps: Pick<Deps, 'clock' | 'stores'>,
  id: string | undefined,
): Promise<{ interaction: Interaction; app: App } | undefined> {
  if (!id || id.length > 64) return undefined;
  const interaction = await deps.stores.interactions.find(id);
  if (!interaction || interaction.consumedAt !== null || interaction.expiresAt <= deps.clock.now()) return undefined;
  const app = await deps.stores.apps.find(interaction.appId);
  return app && { interaction, app };
}

/**
 * Finishes an approved or denied authorization: the redirect URL that answers the client
 * (`choice` undefined means Deny). The protocol implements it (oauth/authorize/decide.ts) and
 * app.ts hands it to the pages, which never import the protocol (issue 13).
 */
export type Decide = (
  deps: Pick<Deps, 'config' | 'clock' | 'stores' | 'revoker'>,
  interaction: Interaction,
  signedIn: SignedIn,
  choice: ApprovalChoice | undefined,
  /** Recorded with the grant, in its transaction (`grant.approved`). */
  event: AuditEvent,
) => Promise<string>;

/** What the interaction area is registered with. */
export interface InteractionOptions extends AppOptions {
  decide: Decide;
}
