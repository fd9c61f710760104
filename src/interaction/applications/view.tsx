/**
 * "Manage applications" (SECURITY 52): every service the person authorized, what it may do, where,
 * since when, when it last acted, and the controls to narrow or revoke it. Revoking always goes
 * through a confirmation page; every change is a same-origin POST with the profile's form token.
 */
import { AppIdentity, type AppIdentityProps } from '../views/app_identity.tsx';
import { Layout } from '../views/layout.tsx';
import { Messages } from '../views/messages.tsx';
import { orgField, scopeField } from '../consent/choices.ts';
import { SecondFactorNotice } from '../views/second_factor_notice.tsx';
import { ScopeLines, type ScopeText } from '../views/scope_lines.tsx';
import type { RequirementNotice } from '../orgs/requirement_notice.ts';
import { DayChart, type DayValue } from '../views/day_chart.tsx';


export interface GrantSummary {
  id: string;
  app: AppIdentityProps;
  scopes: ScopeText[];
  /** "All your organizations, including ones you join later", or their names. */
  organizations: string;
  approvedOn: string;
  lastUsed: string;
  expires?: string;
  /** Issue 17: signed in on a device (the device flow): the device's address and user agent as it asked. */
  device?: { ip: string; userAgent: string | null };
  /** Issue 21: the platform suspended the service; the grant is kept, and the person may still revoke it. */
  suspended?: boolean;
}

interface PageFrame {
  logoutToken: string;
  notice?: string;
  problem?: string;
}

export function ApplicationsView(p: PageFrame & { grants: GrantSummary[]; secondFactorNotice?: RequirementNotice | undefined }) {
  return (
    <Layout title="Manage applications" wide account={{ logoutToken: p.logoutToken }}>
      <h1>Manage applications</h1>
      <Messages notice={p.notice} problem={p.problem} />
      <SecondFactorNotice notice={p.secondFactorNotice} />
      <p>
        These services can act on your behalf. Each one sees only what you allowed, in the organizations you chose. Revoke one and its
        access ends at once.
      </p>
      {p.grants.length === 0 ? (
        <p class="empty">You have not authorized any application.</p>
      ) : (
        <>
          <ul class="grants">
            {p.grants.map((g) => (
              <li key={g.id} class="grant">
                <AppIdentity {...g.app} heading="h2" />
                <GrantFacts grant={g} />
                <p class="actions">
                  <a class="button secondary" href={`/profile/applications/${g.id}`}>
                    Details and changes
                  </a>
                  <a class="button danger" href={`/profile/applications/${g.id}/revoke`}>
                    Revoke
                  </a>
                </p>
              </li>
            ))}
          </ul>
          <p>
            <a class="button danger" href="/profile/applications/revoke-all">
              Revoke all
            </a>
          </p>
        </>
      )}
    </Layout>
  );
}

function GrantFacts({ grant }: { grant: GrantSummary }) {
  return (
    <dl class="facts">
      {grant.suspended === true && (
        <>
          <dt>Status</dt>
          <dd class="suspended">
            <strong class="badge">Suspended by the platform</strong> It cannot use your account now. You can still revoke it.
          </dd>
        </>
      )}
      <dt>May</dt>
      <dd>
        <ScopeLines scopes={grant.scopes} />
      </dd>
      <dt>In</dt>
      <dd>{grant.organizations}</dd>
      <dt>Approved</dt>
      <dd>{grant.approvedOn}</dd>
      <dt>Last used</dt>
      <dd>{grant.lastUsed}</dd>
      {grant.device !== undefined && (
        <>
          <dt>Signed in on a device</dt>
          <dd class="device">
            From {grant.device.ip}
            {grant.device.userAgent !== null && <> ({grant.device.userAgent})</>}
          </dd>
        </>
      )}
      {grant.expires !== undefined && (
        <>
          <dt>Ends</dt>
          <dd>{grant.expires}</dd>
        </>
      )}
    </dl>
  );
}

export interface EditableScope extends ScopeText {
  /** False for `openid`: signing in is not something to take away. */
  removable: boolean;
}

export interface EditableOrg {
  id: string;
  name: string;
  kept: boolean;
}

/** One kind of action among the newest calls, in words. */
export interface ActionKind {
  /** "Read work items in Acme". */
  sentence: string;
  /** Calls of this kind today (UTC), and over the activity period (today included). */
  today: number;
  period: number;
  /** How many of the period's were refused (4xx or 5xx). */
  refused: number;
  last: string;
}

function timesToday(n: number): string {
  return n === 0 ? 'not today' : n === 1 ? 'once today' : `${n} times today`;
}

export interface ActionLine {
  at: string;
  method: string;
  path: string;
  status: number;
  ip: string | null;
}

export interface AddableOrg {
  id: string;
  name: string;
  /** Why the service cannot act there (the organization's policy), when it cannot. */
  excluded?: string;
  /** Where to ask its owners to approve the service. */
  requestUrl?: string;
}

export interface GrantDetailProps extends PageFrame {
  grant: GrantSummary;
  token: string;
  scopes: EditableScope[];
  /** Null when the grant covers every organization (the "all" choice is then offered too). */
  orgChoice: { all: boolean; orgs: EditableOrg[] };
  /** Organizations the person belongs to that the grant does not cover: each can be added, or says why not. */
  addable: AddableOrg[];
  /** Calls per day over the activity period, oldest first. */
  days: DayValue[];
  kinds: ActionKind[];
  actions: ActionLine[];
}

export function GrantDetailView(p: GrantDetailProps) {
  const { grant } = p;
  const action = `/profile/applications/${grant.id}`;
  return (
    <Layout title={grant.app.name} wide account={{ logoutToken: p.logoutToken }}>
      <p class="back">
        <a href="/profile/applications">← All applications</a>
      </p>
      <AppIdentity {...grant.app} heading="h1" />
      <Messages notice={p.notice} problem={p.problem} />
      <GrantFacts grant={grant} />

      <h2>Change what it may do</h2>
      <p class="hint">You can take things away here; the service's current tokens lose them at once. To give more, the service asks you again.</p>
      <form method="post" action={`${action}/edit`} class="edit-grant">
        <input type="hidden" name="token" value={p.token} />
        <fieldset>
          <legend>Permissions</legend>
          {p.scopes.map((s) =>
            s.removable ? (
              <label class="check" key={s.scope}>
                <input type="checkbox" name={scopeField(s.scope)} checked />
                <span>{s.description}</span>
              </label>
            ) : (
              <p class="fixed" key={s.scope}>
                {s.description}
              </p>
            ),
          )}
        </fieldset>
        <fieldset>
          <legend>Organizations</legend>
          {p.orgChoice.all && (
            <>
              <label class="check">
                <input type="radio" name="orgs" value="all" checked />
                <span>All my organizations, including ones I join later</span>
              </label>
              <label class="check">
                <input type="radio" name="orgs" value="some" />
                <span>Only the ones I tick:</span>
              </label>
            </>
          )}
          {!p.orgChoice.all && <input type="hidden" name="orgs" value="some" />}
          {p.orgChoice.orgs.length === 0 && !p.orgChoice.all && <p>None.</p>}
          {p.orgChoice.orgs.map((o) => (
            <label class="check" key={o.id}>
              <input type="checkbox" name={orgField(o.id)} checked={o.kept} />
              <span>{o.name}</span>
            </label>
          ))}
        </fieldset>
        <button type="submit">Save changes</button>
      </form>

      <AddOrganizations action={`${action}/add-org`} token={p.token} orgs={p.addable} app={grant.app.name} />

      <h2>Activity</h2>
      {p.days.every((d) => d.value === 0) ? (
        <p>No calls in the last {p.days.length} days.</p>
      ) : (
        <DayChart id="grant-calls" label={`Calls to the platform per day, last ${p.days.length} days (UTC)`} series={p.days} />
      )}
      {p.kinds.length > 0 && (
        <>
          <h3>What it did lately</h3>
          <p class="hint">Its calls by kind: today, and in the last {p.days.length} days (UTC).</p>
          <ul class="action-kinds">
            {p.kinds.map((k) => (
              <li key={k.sentence}>
                <strong>{k.sentence}</strong>: {timesToday(k.today)}
                {k.period > k.today && `, ${k.period} in ${p.days.length} days`}
                {k.refused > 0 && <span class="status failed"> ({k.refused} refused)</span>}, last {k.last}
              </li>
            ))}
          </ul>
          <details>
            <summary>The latest calls, one by one</summary>
            <ul class="actions-log">
              {p.actions.map((a, i) => (
                <li key={i}>
                  <time>{a.at}</time> <code>
                    {a.method} {a.path}
                  </code>{' '}
                  <span class={a.status >= 400 ? 'status failed' : 'status'}>{a.status}</span>
                  {a.ip !== null && <span class="hint"> from {a.ip}</span>}
                </li>
              ))}
            </ul>
          </details>
        </>
      )}

      <h2>Revoke</h2>
      <p>The service loses access at once: its tokens stop working everywhere, and it must ask you again.</p>
      <p>
        <a class="button danger" href={`${action}/revoke`}>
          Revoke {grant.app.name}
        </a>
      </p>
    </Layout>
  );
}

/**
 * Organizations left out of the grant (dropped here, or not chosen when approving), offered back
 * one at a time without the service asking again (issue 20): the permissions stay as they are.
 */
function AddOrganizations({ action, token, orgs, app }: { action: string; token: string; orgs: AddableOrg[]; app: string }) {
  if (orgs.length === 0) return null;
  return (
    <>
      <h2>Add an organization</h2>
      <p class="hint">
        {app} does not act in these organizations now. Add one and it may, with the permissions above, from its next token.
      </p>
      <ul class="add-orgs">
        {orgs.map((o) => (
          <li key={o.id}>
            {o.excluded === undefined ? (
              <form method="post" action={action} class="inline">
                <input type="hidden" name="token" value={token} />
                <input type="hidden" name="org" value={o.id} />
                <button type="submit" class="secondary">
                  Add {o.name}
                </button>
              </form>
            ) : (
              <>
                <strong>{o.name}</strong>: {o.excluded}
                {o.requestUrl !== undefined && (
                  <>
                    {' '}
                    <a href={o.requestUrl}>Ask its owners to approve it</a>
                  </>
                )}
              </>
            )}
          </li>
        ))}
      </ul>
    </>
  );
}

export interface ConfirmProps extends PageFrame {
  title: string;
  message: string;
  action: string;
  token: string;
  button: string;
  cancel: string;
}

/** The confirmation step before a revoke: nothing happens until the POST. */
export function ConfirmView(p: ConfirmProps) {
  return (
    <Layout title={p.title} account={{ logoutToken: p.logoutToken }}>
      <h1>{p.title}</h1>
      <p>{p.message}</p>
      <form method="post" action={p.action} class="decision">
        <input type="hidden" name="token" value={p.token} />
        <button type="submit" class="danger">
          {p.button}
        </button>
        <a class="button secondary" href={p.cancel}>
          Cancel
        </a>
      </form>
    </Layout>
  );
}
