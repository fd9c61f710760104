/** Renders the approval page for a pending authorization and a signed-in person. */
import type { FastifyReply } from 'fastify';
import type { Deps } from '../../deps.ts';
import type { App } from '../../domain/apps.ts';
import type { Grant } from '../../domain/grants.ts';
import type { Interaction } from '../../domain/interactions.ts';
import type { SignedIn } from '../../services/accounts/sessions.ts';
import { approvalRequestPath, decide } from '../../domain/policies.ts';
import { missingScopes, type LifetimeWords } from '../../domain/scopes.ts';
import { formToken } from '../../http/form_guard.ts';
import { appIdentity, hostOf } from '../views/app_identity.tsx';
import { formatDate } from '../../domain/dates.ts';
import { sendPage } from '../views/send_page.ts';
import { approvalStepUp } from '../../services/interactions.ts';
import { isOptional, reachesOrganizations, type Shown } from './choices.ts';
import { ApprovalView, type AllowedBefore, type OrgLine, type ScopeLine } from './view.tsx';
import { WarningView } from './warning_view.tsx';
import { warningPending } from '../../services/unverified_warning.ts';
import { orgNames, organizationsText } from '../applications/model.ts';
import { callbackElsewhere } from './callback_host.ts';
import { siteHost } from '../views/site_address.tsx';
import { grantLifetime, scopeTexts } from '../views/scope_lines.tsx';

/** The decision token: bound to this session and this pending authorization (SECURITY 28). */
export function decisionToken(deps: Pick<Deps, 'formKey'>, sessionId: string, interactionId: string): string {
  return formToken(deps.formKey, sessionId, 'decision', interactionId);
}

export function decisionUrl(interactionId: string): string {
  return `/interaction/${encodeURIComponent(interactionId)}/decision`;
}

/** "Continue to <service>" on the unverified-service warning: its own token, bound like the decision's (issue 20). */
function warningToken(deps: Pick<Deps, 'formKey'>, sessionId: string, interactionId: string): string {
  return formToken(deps.formKey, sessionId, 'warning', interactionId);
}

function warningUrl(interactionId: string): string {
  return `/interaction/${encodeURIComponent(interactionId)}/warning`;
}

/** The lines of the scope list; `lifetime` words `offline_access` (issue 20). */
export function scopeLines(scopes: readonly string[], lifetime: LifetimeWords): ScopeLine[] {
  return scopeTexts(scopes, lifetime).map((s) => ({ ...s, optional: isOptional(s.scope) }));
}

/** True when the person already allowed this app something and this request asks for more. */
export function asksForMore(grant: Grant | undefined, requested: readonly string[]): grant is Grant {
  return grant !== undefined && missingScopes(grant.scopes, requested).length > 0;
}

/** What the person allowed before, shown collapsed beside what is new (issue 20, incremental authorization). */
async function allowedBefore(deps: Pick<Deps, 'access'>, userId: string, grant: Grant): Promise<AllowedBefore> {
  return {
    scopes: scopeLines(grant.scopes, grantLifetime(grant)),
    organizations: organizationsText(grant, orgNames(await deps.access.reachOf(userId))),
  };
}

export interface ApprovalPage {
  app: App;
  interaction: Interaction;
  signedIn: SignedIn;
  /** The live grant the person already gave this app, if any. */
  grant: Grant | undefined;
}

/** Incremental consent: only what is not granted yet; with prompt=consent and nothing new, all of it. */
export function shownScopes(requested: string[], grant: Grant | undefined): string[] {
  const missing = missingScopes(grant?.scopes ?? [], requested);
  return missing.length > 0 ? missing : requested;
}

/**
 * Every organization the person belongs to, and whether this app may act in it: organizations
 * whose policy shuts it out are listed as excluded, with the reason and, where owners approve
 * services one by one, where to ask them.
 */
export async function organizationLines(
  deps: Pick<Deps, 'access'>,
  userId: string,
  appId: string,
  grant: Grant | undefined,
  options: { deviceFlow?: boolean } = {},
): Promise<OrgLine[]> {
  const reach = await deps.access.reachOf(userId);
  return Promise.all(
    reach.current.map(async ({ org, role }) => {
      const policy = await deps.access.policyOf(org.id);
      const decision = decide(policy, appId);
      const line: OrgLine = { id: org.id, name: org.name, role, kept: grant?.orgIds?.includes(org.id) ?? true };
      // Issue 17: on /device, an organization whose owners turned the device flow off is left out.
      if (options.deviceFlow && policy.deviceFlowOff) line.excluded = 'Its owners do not allow sign-ins on a device for it.';
      if (decision === 'blocked') line.excluded = 'Its owners do not let this service act in it.';
      if (decision === 'needs_approval') {
        line.excluded = 'Its owners approve services one by one, and have not approved this one.';
        line.requestUrl = approvalRequestPath(org.slug, appId);
      }
      return line;
    }),
  );
}

/**
 * What the approval page shows for this request and grant: the one place that decides it, for the
 * page and for reading the form posted from it (route.ts), so a dimension the page did not show
 * cannot be changed by the decision. `orgs` are the lines of the organization section, undefined
 * when there is none.
 */
export async function approvalContent(
  deps: Pick<Deps, 'access'>,
  userId: string,
  appId: string,
  requested: string[],
  grant: Grant | undefined,
  options: { deviceFlow?: boolean } = {},
): Promise<{ shown: Shown; orgs: OrgLine[] | undefined }> {
  const orgs = reachesOrganizations(requested) ? await organizationLines(deps, userId, appId, grant, options) : undefined;
  // With no organization at all, the section only says so: there is nothing to choose.
  const offered = orgs === undefined || orgs.length === 0 ? undefined : orgs.filter((o) => o.excluded === undefined).map((o) => o.id);
  return { shown: { scopes: shownScopes(requested, grant), orgIds: offered, lifetimes: true }, orgs };
}

/** Where "Confirm it's you" leads: the sign-in page for this person, then back to this approval (issue 16). */
export function stepUpUrl(interactionId: string): string {
  return `/login?${new URLSearchParams({ interaction: interactionId, reauth: '1' })}`;
}

export async function sendApprovalPage(
  deps: Pick<Deps, 'formKey' | 'access' | 'config' | 'clock' | 'accounts'>,
  reply: FastifyReply,
  page: ApprovalPage,
): Promise<FastifyReply> {
  const { app, interaction, signedIn, grant } = page;
  const requested = interaction.request.scopes;
  const { shown, orgs } = await approvalContent(deps, signedIn.user.id, app.id, requested, grant);
  const identity = appIdentity(deps.config.issuer, app);
  const site = siteHost(deps.config.issuer);
  const returnTo = hostOf(interaction.request.redirectUri);
  const user = { name: signedIn.user.name, email: signedIn.user.email };
  const deny = { url: decisionUrl(interaction.id), token: decisionToken(deps, signedIn.session.id, interaction.id) };
  if (warningPending(app, interaction, shown.scopes)) {
    // Issue 20: the page of its own comes first; the approval page shows once the person passed it.
    return sendPage(
      reply,
      <WarningView
        app={identity}
        site={site}
        returnTo={returnTo}
        scopes={scopeLines(shown.scopes, 'chosen').filter((s) => s.highPrivilege)}
        user={user}
        back={deny}
        proceed={{ url: warningUrl(interaction.id), token: warningToken(deps, signedIn.session.id, interaction.id) }}
      />,
      { redirectUri: interaction.request.redirectUri },
    );
  }
  // Issue 16: the same rule the decision enforces (services/interactions.ts); the page only follows it.
  const stepUp = await approvalStepUp(deps, signedIn, shown.scopes);
  return sendPage(
    reply,
    <ApprovalView
      app={identity}
      site={site}
      returnTo={returnTo}
      elsewhere={callbackElsewhere(interaction.request.redirectUri, identity.website)}
      scopes={scopeLines(shown.scopes, 'chosen')}
      allowedBefore={asksForMore(grant, requested) ? await allowedBefore(deps, signedIn.user.id, grant) : undefined}
      orgs={orgs}
      allOrgs={grant?.orgIds == null}
      lifetimes={shown.lifetimes}
      currentEnd={grant?.expiresAt != null ? formatDate(grant.expiresAt) : undefined}
      user={user}
      decisionUrl={deny.url}
      switchAccountUrl={`/login?${new URLSearchParams({ interaction: interaction.id, switch: '1' })}`}
      csrf={deny.token}
      stepUp={stepUp === undefined ? undefined : { reason: stepUp, url: stepUpUrl(interaction.id) }}
    />,
    { redirectUri: interaction.request.redirectUri },
  );
}
