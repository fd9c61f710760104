/**
 * The approval page (OIDC Core §3.1.2.4, SECURITY 27): who asks (logo, name, publisher, website,
 * verified or not), what it will be able to do in plain sentences, in which organizations, for
 * how long, where the person is sent back, who is signed in, and two buttons. Everything is a
 * plain form: the choices are checkboxes and radio buttons, no script needed.
 */
import { FROM_APPROVAL } from '../orgs/paths.ts';
import { useBrand } from '../views/brand.tsx';
import type { Role } from '../../domain/organizations.ts';
import { AppIdentity, type AppIdentityProps } from '../views/app_identity.tsx';
import { Layout } from '../views/layout.tsx';
import { orgField, scopeField } from './choices.ts';
import { SiteAddress } from '../views/site_address.tsx';
import type { ElsewhereCallback } from './callback_host.ts';
import { HighPrivilegeBadge, HighPrivilegeMeaning } from '../views/high_privilege.tsx';
import { ScopeLines } from '../views/scope_lines.tsx';

export interface ScopeLine {
  scope: string;
  description: string;
  highPrivilege: boolean;
  /** False for `openid` (signing in is what the request is). */
  optional: boolean;
}

export interface OrgLine {
  id: string;
  name: string;
  role: Role;
  /** Ticked when the page opens: the grant's current choice, or every organization. */
  kept: boolean;
  /** Why the service cannot act there, when its policy shuts it out. */
  excluded?: string;
  /** Where to ask the owners to approve the service. */
  requestUrl?: string;
}

/** A live grant's terms, listed collapsed on a request for more (issue 20). */
export interface AllowedBefore {
  scopes: ScopeLine[];
  /** Where it reaches, in words ("All your organizations, including ones you join later"). */
  organizations: string;
}

export interface ApprovalViewProps {
  app: AppIdentityProps;
  /** The host (or scheme, for a native app) the response goes to. */
  returnTo: string;
  /** This Tessera's host, said in words (issue 20). */
  site: string;
  /** Set when the response goes to a host other than the service's website (consent/callback_host.ts). */
  elsewhere?: ElsewhereCallback;
  scopes: ScopeLine[];
  /** What the app already holds, when it holds a grant and this asks for more (incremental authorization). */
  allowedBefore?: AllowedBefore;
  /** The person's organizations; undefined when nothing asked for reaches into organizations. */
  orgs?: OrgLine[];
  /** Whether the grant covers every organization, including later ones (the default). */
  allOrgs: boolean;
  /** Whether the page offers lifetimes (otherwise the grant keeps its end). */
  lifetimes: boolean;
  /** The end of the existing grant, when the person chose one before. */
  currentEnd?: string;
  user: { name: string; email: string };
  decisionUrl: string;
  switchAccountUrl: string;
  csrf: string;
  /**
   * Issue 16: approving needs the person to confirm who they are first (services/interactions.ts
   * `approvalStepUp`): the page says why and leads to the sign-in (`url`), which comes back here;
   * meanwhile it lists what is asked, without choices, and offers only Deny.
   */
  stepUp?: { reason: 'stale' | 'second_factor'; url: string };
}

/** Why a high-privilege approval asks for a sign-in first (issue 16). */
export const STEP_UP_TEXT = {
  stale: 'This asks for high-privilege access. To approve it, confirm it is you: sign in again, then you come back here.',
  second_factor:
    'This asks for high-privilege access. To approve it, confirm it is you with your second factor (your authenticator app or a passkey), then you come back here.',
} as const;

export function ApprovalView(props: ApprovalViewProps) {
  const { app } = props;
  const brand = useBrand();
  return (
    <Layout title={`Authorize ${app.name}`} wide>
      <AppIdentity {...app}>
        <h1>
          <strong>{app.name}</strong> wants to access your {brand.name} account
        </h1>
      </AppIdentity>
      <UnverifiedWarning verified={app.verified} />
      <SiteAddress host={props.site} />
      <p class="account">
        Signed in as <strong>{props.user.name}</strong> ({props.user.email}). <a href={props.switchAccountUrl}>Not you? Switch account</a>
      </p>
      <form method="post" action={props.decisionUrl} class="approval">
        <input type="hidden" name="token" value={props.csrf} />
        {props.allowedBefore !== undefined && <AllowedBeforeList {...props.allowedBefore} />}
        <ScopeList scopes={props.scopes} incremental={props.allowedBefore !== undefined} fixed={props.stepUp !== undefined} />
        {props.stepUp === undefined && props.orgs !== undefined && <OrgChoice orgs={props.orgs} all={props.allOrgs} />}
        {props.stepUp === undefined && props.lifetimes && <LifetimeChoice currentEnd={props.currentEnd} />}
        <p class="return">
          Whatever you choose, you will be sent back to <strong>{props.returnTo}</strong>. You can review or revoke this access at any time
          under <a href="/profile/applications">Manage applications</a>.
        </p>
        {props.elsewhere !== undefined && (
          <p class="warning" id="callback-elsewhere">
            <strong>{props.elsewhere.callback}</strong> is not the address of {app.name}’s website (<strong>{props.elsewhere.website}</strong>).
            Approve only if you expected to be sent there.
          </p>
        )}
        {props.stepUp !== undefined && (
          <p class="warning" role="status">
            {STEP_UP_TEXT[props.stepUp.reason]}
          </p>
        )}
        <div class="decision">
          <ApproveOrConfirm stepUp={props.stepUp} />
          <button type="submit" name="decision" value="deny" class="secondary">
            Deny
          </button>
        </div>
      </form>
    </Layout>
  );
}

/** Shown above an approval of an app whose publisher the platform has not verified. */
export function UnverifiedWarning({ verified }: { verified: boolean }) {
  const brand = useBrand();
  if (verified) return null;
  return (
    <p class="warning" role="alert">
      {brand.name} has not verified who publishes this app. Approve only if you trust it.
    </p>
  );
}

/** Approve, or, when a fresh sign-in must come first (step-up), the link to confirm who you are. */
export function ApproveOrConfirm({ stepUp }: { stepUp: { url: string } | undefined }) {
  return stepUp === undefined ? (
    <button type="submit" name="decision" value="approve">
      Approve
    </button>
  ) : (
    <a class="button" href={stepUp.url}>
      Confirm it is you
    </a>
  );
}

/**
 * What the person allowed before, collapsed (a <details>), above what is new: they decide on the
 * new items knowing what the service holds already, without reading it all again.
 */
function AllowedBeforeList({ scopes, organizations }: AllowedBefore) {
  return (
    <details class="allowed-before">
      <summary>You already allowed: {scopes.length === 1 ? '1 permission' : `${scopes.length} permissions`}</summary>
      <ScopeLines scopes={scopes} />
      <p>In: {organizations}</p>
    </details>
  );
}

/** `fixed`: listed without checkboxes (nothing can be chosen before the person confirms who they are). */
export function ScopeList({ scopes, incremental, fixed = false }: { scopes: ScopeLine[]; incremental: boolean; fixed?: boolean }) {
  return (
    <fieldset class="scopes">
      <legend>{incremental ? 'It asks for more. In addition to what you allowed before, it will be able to:' : 'It will be able to:'}</legend>
      <ul>
        {scopes.map((s) => (
          <li key={s.scope} class={s.highPrivilege ? 'high' : undefined}>
            {s.optional && !fixed ? (
              <label class="check">
                <input type="checkbox" name={scopeField(s.scope)} checked />
                <span>
                  {s.description}
                  <HighPrivilegeBadge high={s.highPrivilege} />
                </span>
              </label>
            ) : (
              <span class="fixed">
                {s.description}
                <HighPrivilegeBadge high={s.highPrivilege} />
              </span>
            )}
          </li>
        ))}
      </ul>
      <HighPrivilegeMeaning shown={scopes.some((s) => s.highPrivilege)} />
      {!fixed && scopes.some((s) => s.optional) && <p class="hint">Untick anything you do not want to allow.</p>}
    </fieldset>
  );
}

export function OrgChoice({ orgs, all }: { orgs: OrgLine[]; all: boolean }) {
  const open = orgs.filter((o) => o.excluded === undefined);
  const excluded = orgs.filter((o) => o.excluded !== undefined);
  return (
    <fieldset class="orgs">
      <legend>In which organizations</legend>
      {orgs.length === 0 &&
        (all ? (
          <p>You do not belong to any organization yet. This covers the organizations you join later.</p>
        ) : (
          <p>You do not belong to any organization now. This stays limited to the organizations you chose before.</p>
        ))}
      {orgs.length > 0 && (
        <>
          <label class="check">
            <input type="radio" name="orgs" value="all" checked={all} />
            <span>All my organizations, including ones I join later</span>
          </label>
          <label class="check">
            <input type="radio" name="orgs" value="some" checked={!all} />
            <span>Only the ones I tick:</span>
          </label>
          <p class="hint">Untick an organization to leave it out; this also leaves out the ones you join later.</p>
          <ul class="org-list">
            {open.map((o) => (
              <li key={o.id}>
                <label class="check">
                  <input type="checkbox" name={orgField(o.id)} checked={o.kept} />
                  <span>
                    {o.name} <span class="role">{o.role === 'owner' ? 'Owner' : 'Member'}</span>
                  </span>
                </label>
              </li>
            ))}
          </ul>
        </>
      )}
      {excluded.length > 0 && (
        <>
          <p class="excluded-title">Not covered, whatever you choose:</p>
          <ul class="excluded">
            {excluded.map((o) => (
              <li key={o.id}>
                <strong>{o.name}</strong>: {o.excluded}
                {o.requestUrl !== undefined && (
                  <>
                    {' '}
                    {/* A new tab, so this page stays open to be finished (issue 20: get back to the approval you left). */}
                    <a href={`${o.requestUrl}?${FROM_APPROVAL}`} target="_blank" rel="noopener">
                      Ask its owners to approve it (opens in a new tab)
                    </a>
                  </>
                )}
              </li>
            ))}
          </ul>
        </>
      )}
    </fieldset>
  );
}

export function LifetimeChoice({ currentEnd }: { currentEnd?: string }) {
  const options: [string, string][] = [
    ['forever', 'Until I revoke it'],
    ['30d', '30 days'],
    ['7d', '7 days'],
  ];
  return (
    <fieldset class="lifetime">
      <legend>For how long</legend>
      {currentEnd !== undefined && (
        <label class="check">
          <input type="radio" name="lifetime" value="keep" checked />
          <span>Until {currentEnd}, as before</span>
        </label>
      )}
      {options.map(([value, text]) => (
        <label class="check" key={value}>
          <input type="radio" name="lifetime" value={value} checked={currentEnd === undefined && value === 'forever'} />
          <span>{text}</span>
        </label>
      ))}
    </fieldset>
  );
}
