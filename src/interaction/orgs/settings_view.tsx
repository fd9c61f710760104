/**
 * The organization settings page (owners only): members and roles, the third-party policy, the
 * second-factor requirement, members' approval requests, and the services acting in the organization. Every form posts to
 * our own origin with the page's token; labels on every input; no script.
 */
import type { ComponentChildren } from 'preact';
import { Layout } from '../views/layout.tsx';
import type { ThirdPartyMode } from '../../domain/policies.ts';
import type { InvitationRow, MemberRow, RequestRow, ServiceRow, SettingsModel } from './settings_model.ts';
import { ACTIVITY_DAYS } from './settings_model.ts';
import { INVITATION_LIFETIME_SECONDS } from '../../domain/invitations.ts';
import { ORG_PATHS } from './paths.ts';
import { Messages } from '../views/messages.tsx';
import { PublisherLine } from './shared_view.tsx';
import { ScopeLines } from '../views/scope_lines.tsx';

export interface SettingsViewProps extends SettingsModel {
  org: { slug: string; name: string };
  token: string;
  logoutToken: string;
  notice?: string | undefined;
  problem?: string | undefined;
}

export const MODE_TEXT: Record<ThirdPartyMode, { label: string; hint: string }> = {
  allow: { label: 'Every service a member authorized', hint: 'The default. Services act wherever the person who authorized them can.' },
  approved: { label: 'Only services the owners approved', hint: 'Members can ask the owners to approve a service.' },
  deny: { label: 'No third-party services', hint: 'Services cannot read or change anything in this organization.' },
};

function Hidden({ token, fields }: { token: string; fields: Record<string, string> }) {
  return (
    <>
      <input type="hidden" name="token" value={token} />
      {Object.entries(fields).map(([name, value]) => (
        <input type="hidden" name={name} value={value} />
      ))}
    </>
  );
}

function MemberItem({ m, slug, token }: { m: MemberRow; slug: string; token: string }) {
  const other = m.role === 'owner' ? 'member' : 'owner';
  return (
    <tr>
      <td>
        {m.name}
        {m.isMe && <strong> (you)</strong>}
        <br />
        <span class="hint">{m.email}</span>
      </td>
      <td>{m.role === 'owner' ? 'Owner' : 'Member'}</td>
      <td class="actions">
        <form method="post" action={ORG_PATHS.settingsForm(slug, 'members/role')} class="inline">
          <Hidden token={token} fields={{ user: m.userId, role: other }} />
          <button type="submit" class="secondary" aria-label={`Make ${m.name} ${other === 'owner' ? 'an owner' : 'a member'}`}>
            {other === 'owner' ? 'Make owner' : 'Make member'}
          </button>
        </form>
        <form method="post" action={ORG_PATHS.settingsForm(slug, 'members/remove')} class="inline">
          <Hidden token={token} fields={{ user: m.userId }} />
          <button type="submit" class="secondary" aria-label={`Remove ${m.name}`}>
            Remove
          </button>
        </form>
      </td>
    </tr>
  );
}

function InvitationItem({ i, slug, token }: { i: InvitationRow; slug: string; token: string }) {
  return (
    <tr>
      <td>
        {i.email}
        <br />
        <span class="hint">{i.invitedBy === null ? 'invited by an operator' : `invited by ${i.invitedBy}`}</span>
      </td>
      <td>{i.role === 'owner' ? 'Owner' : 'Member'}</td>
      <td>Pending until {i.expires}</td>
      <td class="actions">
        <form method="post" action={ORG_PATHS.settingsForm(slug, 'invitations/cancel')} class="inline">
          <Hidden token={token} fields={{ invitation: i.id }} />
          <button type="submit" class="secondary" aria-label={`Cancel the invitation of ${i.email}`}>
            Cancel invitation
          </button>
        </form>
      </td>
    </tr>
  );
}

/** The second-factor requirement (issue 16), with the members it leaves out now or would. */
function SecondFactorSection({ slug, token, required, lacking }: { slug: string; token: string; required: boolean; lacking: SettingsModel['withoutSecondFactor'] }) {
  return (
    <>
      <h2 id="second-factor">Second factor</h2>
      <p>
        {required
          ? 'Required: services act for a member here only once the member has two-step verification or a passkey.'
          : 'Not required: services act for every member, with or without a second factor.'}
      </p>
      {lacking.length > 0 && (
        <p>
          Without a second factor: {lacking.map((m) => `${m.name} (${m.email})`).join(', ')}.{' '}
          {required ? 'Services cannot act for them here until they add one.' : 'If you require one, services stop acting for them here until they add one.'}
        </p>
      )}
      <form method="post" action={ORG_PATHS.settingsForm(slug, 'second-factor')}>
        <fieldset>
          <legend>Before services act for a member</legend>
          <label>
            <input type="radio" name="require" value="on" checked={required} /> Require a second factor
            <span class="hint"> — two-step verification or a passkey. Work accounts meet it: their company's directory signs them in.</span>
          </label>
          <label>
            <input type="radio" name="require" value="off" checked={!required} /> Do not require one
          </label>
        </fieldset>
        <input type="hidden" name="token" value={token} />
        <button type="submit">Save second-factor requirement</button>
      </form>
    </>
  );
}

/** Issue 17: whether a sign-in on a device (a code confirmed on /device) may cover this organization. */
function DeviceFlowSection({ slug, token, off }: { slug: string; token: string; off: boolean }) {
  return (
    <>
      <h2 id="device-flow">Sign-ins on a device</h2>
      <p>
        {off
          ? 'Off: when someone signs a service in on a device with a code (command-line tools, TVs), this organization is left out.'
          : 'On: a service signed in on a device with a code (command-line tools, TVs) may act here, as any other.'}
      </p>
      <form method="post" action={ORG_PATHS.settingsForm(slug, 'device-flow')}>
        <fieldset>
          <legend>Sign-ins on a device with a code</legend>
          <label>
            <input type="radio" name="device_flow" value="on" checked={!off} /> Allow them here
          </label>
          <label>
            <input type="radio" name="device_flow" value="off" checked={off} /> Leave this organization out
            <span class="hint"> — codes are what phishers send people; services signed in in a browser are not affected.</span>
          </label>
        </fieldset>
        <input type="hidden" name="token" value={token} />
        <button type="submit">Save device sign-in policy</button>
      </form>
    </>
  );
}

function AppButton({ slug, token, app, action, text, label }: { slug: string; token: string; app: string; action: string; text: string; label: string }) {
  return (
    <form method="post" action={ORG_PATHS.settingsForm(slug, 'apps')} class="inline">
      <Hidden token={token} fields={{ client_id: app, action }} />
      <button type="submit" class="secondary" aria-label={label}>
        {text}
      </button>
    </form>
  );
}

/** How a service stands in the organization under its policy. */
function standing(s: ServiceRow, mode: ThirdPartyMode): string {
  if (s.rule === 'blocked') return 'Cut off';
  if (mode === 'deny') return 'Blocked by the policy';
  if (s.rule === 'approved') return mode === 'approved' ? 'Approved' : 'Approved (applies under "approved only")';
  return mode === 'approved' ? 'Not approved' : 'Allowed';
}

/**
 * A service's cells in the "Services acting" table: who, activity, standing. The owners' page adds
 * its buttons; the operator console (admin/orgs_view.tsx) shows the same row read-only, its name
 * linked to the service's console page.
 */
export function ServiceCells({ s, mode, name }: { s: ServiceRow; mode: ThirdPartyMode; name: ComponentChildren }) {
  return (
    <>
      <td>
        {name}
        <br />
        <PublisherLine publisher={s.app.publisher} verified={s.app.verified} />
      </td>
      <td>{s.people.length === 0 ? 'nobody now' : s.people.join(', ')}</td>
      <td>
        {s.lastUsed === null ? 'never used' : `last used ${s.lastUsed}`}
        <br />
        <span class="hint">{`${s.calls} API ${s.calls === 1 ? 'call' : 'calls'} in ${ACTIVITY_DAYS} days`}</span>
      </td>
      <td>{standing(s, mode)}</td>
    </>
  );
}

function ServiceItem({ s, slug, token, mode }: { s: ServiceRow; slug: string; token: string; mode: ThirdPartyMode }) {
  const name = s.app.name;
  return (
    <tr>
      <ServiceCells s={s} mode={mode} name={<strong>{name}</strong>} />
      <td class="actions">
        {s.rule === 'blocked' ? (
          <AppButton slug={slug} token={token} app={s.app.id} action="restore" text="Restore" label={`Restore ${name}`} />
        ) : (
          <>
            {mode === 'approved' && s.rule !== 'approved' && <AppButton slug={slug} token={token} app={s.app.id} action="approve" text="Approve" label={`Approve ${name}`} />}
            {s.rule === 'approved' && <AppButton slug={slug} token={token} app={s.app.id} action="withdraw" text="Withdraw approval" label={`Withdraw approval of ${name}`} />}
            <AppButton slug={slug} token={token} app={s.app.id} action="block" text="Cut off" label={`Cut off ${name}`} />
          </>
        )}
      </td>
    </tr>
  );
}

function RequestItem({ r, slug, token }: { r: RequestRow; slug: string; token: string }) {
  return (
    <li>
      <strong>{r.app.name}</strong> <PublisherLine publisher={r.app.publisher} verified={r.app.verified} />
      <br />
      Asked by {r.people.length === 0 ? 'former members' : r.people.join(', ')} since {r.since}
      <details class="request-scopes">
        <summary>What it may ask for</summary>
        <ScopeLines scopes={r.scopes} />
      </details>
      <form method="post" action={ORG_PATHS.settingsForm(slug, 'requests')} class="decision">
        <Hidden token={token} fields={{ client_id: r.app.id }} />
        <button type="submit" name="decision" value="approve" aria-label={`Approve ${r.app.name}`}>
          Approve
        </button>
        <button type="submit" name="decision" value="deny" class="secondary" aria-label={`Deny ${r.app.name}`}>
          Deny
        </button>
      </form>
    </li>
  );
}

export function SettingsView(p: SettingsViewProps) {
  const { slug } = p.org;
  return (
    <Layout title={`${p.org.name} settings`} wide account={{ logoutToken: p.logoutToken }}>
      <div class="org-page">
        <p>
          <a href={ORG_PATHS.list}>Your organizations</a>
        </p>
        <h1>{p.org.name} settings</h1>
        <Messages notice={p.notice} problem={p.problem} />

        <h2>Members</h2>
        <table class="org-members">
          <thead>
            <tr>
              <th scope="col">Person</th>
              <th scope="col">Role</th>
              <th scope="col">Change</th>
            </tr>
          </thead>
          <tbody>
            {p.members.map((m) => (
              <MemberItem m={m} slug={slug} token={p.token} />
            ))}
          </tbody>
        </table>
        {p.invitations.length > 0 && (
          <>
            <h3>Pending invitations</h3>
            <table class="org-members org-invitations">
              <thead>
                <tr>
                  <th scope="col">Address</th>
                  <th scope="col">Role</th>
                  <th scope="col">Status</th>
                  <th scope="col">Change</th>
                </tr>
              </thead>
              <tbody>
                {p.invitations.map((i) => (
                  <InvitationItem i={i} slug={slug} token={p.token} />
                ))}
              </tbody>
            </table>
          </>
        )}
        <form method="post" action={ORG_PATHS.settingsForm(slug, 'members/add')}>
          <h3>Add a member</h3>
          <input type="hidden" name="token" value={p.token} />
          <label>
            Email address
            <input type="email" name="email" autocomplete="off" required maxlength={254} />
          </label>
          <p class="hint">
            An account that has proven this address is added at once. Otherwise the address is invited: the person accepts on
            their organizations page, signed in with that address once it is verified. Invitations expire after{' '}
            {INVITATION_LIFETIME_SECONDS / 86_400} days.
          </p>
          <label>
            Role
            <select name="role">
              <option value="member">Member</option>
              <option value="owner">Owner</option>
            </select>
          </label>
          <button type="submit">Add member</button>
        </form>

        <h2>Third-party services</h2>
        <form method="post" action={ORG_PATHS.settingsForm(slug, 'policy')}>
          <fieldset>
            <legend>Which services may act in this organization</legend>
            {(Object.keys(MODE_TEXT) as ThirdPartyMode[]).map((mode) => (
              <label>
                <input type="radio" name="third_party" value={mode} checked={p.mode === mode} /> {MODE_TEXT[mode].label}
                <span class="hint"> — {MODE_TEXT[mode].hint}</span>
              </label>
            ))}
          </fieldset>
          <input type="hidden" name="token" value={p.token} />
          <button type="submit">Save policy</button>
        </form>

        <SecondFactorSection slug={slug} token={p.token} required={p.requireSecondFactor} lacking={p.withoutSecondFactor} />

        <DeviceFlowSection slug={slug} token={p.token} off={p.deviceFlowOff} />

        <h2>Approval requests</h2>
        {p.requests.length === 0 ? (
          <p>No pending requests.</p>
        ) : (
          <ul class="org-requests">
            {p.requests.map((r) => (
              <RequestItem r={r} slug={slug} token={p.token} />
            ))}
          </ul>
        )}

        <h2>Services acting in this organization</h2>
        <p class="hint">
          Services members authorized that can reach this organization, and any the owners approved or cut off. Calls count every
          organization the person's authorization reaches. Cutting a service off stops it here at once, for everyone.
        </p>
        {p.services.length === 0 ? (
          <p>None.</p>
        ) : (
          <table class="org-services">
            <thead>
              <tr>
                <th scope="col">Service</th>
                <th scope="col">For</th>
                <th scope="col">Activity</th>
                <th scope="col">Standing</th>
                <th scope="col">Change</th>
              </tr>
            </thead>
            <tbody>
              {p.services.map((s) => (
                <ServiceItem s={s} slug={slug} token={p.token} mode={p.mode} />
              ))}
            </tbody>
          </table>
        )}
      </div>
    </Layout>
  );
}
