/** The pending request between /authorize, sign-in and approval (domain/interactions.ts). */
import type { AppOptions, Deps } from '../deps.ts';
import type { ApprovalChoice } from '../domain/approval.ts';
import type { AuditEvent } from '../domain/audit.ts';
import type { SignedIn } from './accounts/sessions.ts';
import type { App } from '../domain/apps.ts';
import type { AuthorizationRequest, Interaction } from '../domain/interactions.ts';
import { randomId } from '../crypto/random.ts';
import { OAuthError } from '../oauth/errors.ts';
import { signedInRecently, usedSecondFactor } from './accounts/sessions.ts';
import { highPrivilegeScopes, warningPending } from './unverified_warning.ts';

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
  deps: Pick<Deps, 'config' | 'clock' | 'stores' | 'revoker' | 'suspensions' | 'formKey'>,
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

/**
 * Why the person must confirm who they are before approving (issue 16, "Step-up before risky
 * approvals"): the sign-in is older than `STEP_UP_MAX_AGE` (`stale`), or the account has a second
 * factor (TOTP or a passkey) that the sign-in did not use (`second_factor`).
 */
export type StepUp = 'stale' | 'second_factor';

/**
 * The step-up rule, in one place: whether approving `scopes` (those the approval page shows the
 * person, so the page and the POST of its form decide alike) needs a new sign-in first. Only a
 * high-privilege scope (domain/scopes.ts: the write scopes, `builds:execute`, `full_access`) does.
 * The approval page asks it to know what to render; `decideApproval` enforces it on the POST.
 *
 * A code issued without the person deciding (a live grant covering the request, prompt=none)
 * does not step up: it repeats a decision already made under this rule, and a client that wants a
 * fresh sign-in asks for one with `max_age` or `prompt=login` (OIDC Core §3.1.2.1).
 */
export async function approvalStepUp(
  deps: Pick<Deps, 'config' | 'clock' | 'accounts'>,
  signedIn: SignedIn,
  scopes: readonly string[],
): Promise<StepUp | undefined> {
  if (highPrivilegeScopes(scopes).length === 0) return undefined;
  if (!signedInRecently(deps, signedIn.session)) return 'stale';
  if (usedSecondFactor(signedIn.session)) return undefined;
  // A work account's factors are its directory's business (SECURITY 48): no sign-in through it
  // could ever show ours, so only the time counts.
  if (signedIn.user.kind === 'work') return undefined;
  // A session opened before the factor was turned on: the factor must be used now.
  const factors = await deps.accounts.secondFactorsOf(signedIn.user.id);
  return factors.code || factors.passkey ? 'second_factor' : undefined;
}

/** What became of a decision posted on the approval page. */
export type Decision =
  /** An unverified service's high-privilege approval before its warning was passed: nothing was consumed or granted. */
  | { kind: 'warning' }
  /** Approving needs a new sign-in first: nothing was consumed, granted or issued. */
  | { kind: 'step_up'; reason: StepUp }
  /** The interaction was used already (a second post lost the race): nothing was granted. */
  | { kind: 'used' }
  /** The client's answer: a code, or access_denied. */
  | { kind: 'answered'; location: string };

/**
 * The person's decision on a pending authorization (interaction/consent/route.ts, after the form's
 * checks): for an approval, the unverified-service warning first (services/unverified_warning.ts:
 * the page of its own must have been passed), then the step-up rule, so a form posted with a stale
 * session (a page left open, a forged post) grants nothing; then the interaction is consumed, once, and `decide`
 * (the protocol's, handed over by app.ts) answers the client. `shownScopes`: what the page showed.
 */
export async function decideApproval(
  deps: Pick<Deps, 'config' | 'clock' | 'stores' | 'revoker' | 'accounts' | 'suspensions' | 'formKey'>,
  decide: Decide,
  decision: { app: App; interaction: Interaction; signedIn: SignedIn; shownScopes: readonly string[]; choice: ApprovalChoice | undefined; event: AuditEvent },
): Promise<Decision> {
  const { interaction, signedIn, choice } = decision;
  if (choice) {
    if (warningPending(decision.app, interaction, decision.shownScopes)) return { kind: 'warning' };
    const reason = await approvalStepUp(deps, signedIn, decision.shownScopes);
    if (reason) return { kind: 'step_up', reason };
  }
  // Consumed before anything is granted: of two racing posts, one wins and the other gets nothing.
  if (!(await deps.stores.interactions.consume(interaction.id, deps.clock.now()))) return { kind: 'used' };
  return { kind: 'answered', location: await decide(deps, interaction, signedIn, choice, decision.event) };
}
