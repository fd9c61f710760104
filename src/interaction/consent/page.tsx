/** Renders the approval page for a pending authorization and a signed-in person. */
import type { FastifyReply } from 'fastify';
import type { Deps } from '../../deps.ts';
import type { App } from '../../domain/apps.ts';
import type { Interaction } from '../../domain/interactions.ts';
import type { SignedIn } from '../../core/sessions.ts';
import { SCOPES, missingScopes } from '../../domain/scopes.ts';
import { formToken } from '../csrf.ts';
import { sendPage } from '../views/send_page.ts';
import { ApprovalView } from './view.tsx';

/** The decision token: bound to this session and this pending authorization (SECURITY 28). */
export function decisionToken(deps: Pick<Deps, 'formKey'>, sessionId: string, interactionId: string): string {
  return formToken(deps.formKey, sessionId, interactionId);
}

export function decisionUrl(interactionId: string): string {
  return `/interaction/${encodeURIComponent(interactionId)}/decision`;
}

function returnTo(redirectUri: string): string {
  const url = new URL(redirectUri);
  return url.host !== '' ? url.host : url.protocol;
}

export interface ApprovalPage {
  app: App;
  interaction: Interaction;
  signedIn: SignedIn;
  grantedScopes: string[];
}

export function sendApprovalPage(deps: Pick<Deps, 'formKey'>, reply: FastifyReply, page: ApprovalPage): FastifyReply {
  const { app, interaction, signedIn } = page;
  const requested = interaction.request.scopes;
  // Incremental consent: only what is not granted yet; with prompt=consent and nothing new, all of it.
  const missing = missingScopes(page.grantedScopes, requested);
  const shown = missing.length > 0 ? missing : requested;
  return sendPage(
    reply,
    <ApprovalView
      appName={app.name}
      publisher={app.publisher}
      verified={app.verified}
      returnTo={returnTo(interaction.request.redirectUri)}
      scopes={shown.map((scope) => ({ scope, description: SCOPES[scope]?.description ?? scope, highPrivilege: SCOPES[scope]?.highPrivilege ?? false }))}
      incremental={page.grantedScopes.length > 0 && missing.length > 0}
      user={{ name: signedIn.user.name, email: signedIn.user.email }}
      decisionUrl={decisionUrl(interaction.id)}
      switchAccountUrl={`/login?${new URLSearchParams({ interaction: interaction.id, switch: '1' })}`}
      csrf={decisionToken(deps, signedIn.session.id, interaction.id)}
    />,
    { redirectUri: interaction.request.redirectUri },
  );
}
