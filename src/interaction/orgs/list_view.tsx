/** "Your organizations" and one organization's overview for its members. */
import { Layout } from '../views/layout.tsx';
import type { ThirdPartyMode } from '../../domain/policies.ts';
import { ORG_PATHS } from './paths.ts';
import { MODE_TEXT } from './settings_view.tsx';
import { Messages } from '../views/messages.tsx';

export interface OrgListItem {
  slug: string;
  name: string;
  role: 'owner' | 'member';
}

/** A pending invitation of the person's verified address, with its form token. */
export interface InvitationItem {
  id: string;
  orgName: string;
  role: 'owner' | 'member';
  expires: string;
  token: string;
}

export interface OrgListProps {
  orgs: OrgListItem[];
  invitations: InvitationItem[];
  /** Pending invitations of the address while it is not verified: counted, not named. */
  unverifiedInvitations: number;
  email: string;
  notice?: string | undefined;
  logoutToken: string;
}

function Invitations({ invitations, unverified, email }: { invitations: InvitationItem[]; unverified: number; email: string }) {
  if (unverified > 0) {
    return (
      <>
        <h2>Invitations</h2>
        <p>
          {unverified === 1 ? 'An organization invited ' : `${unverified} organizations invited `}
          <strong>{email}</strong>. Verify your email address to accept: until then {unverified === 1 ? 'it stays' : 'they stay'} pending.
        </p>
        <p>
          Open the link we mailed to this address, or <a href="/profile">get a new one on your profile</a>.
        </p>
      </>
    );
  }
  if (invitations.length === 0) return null;
  return (
    <>
      <h2>Invitations</h2>
      <ul class="org-invitations">
        {invitations.map((i) => (
          <li>
            <strong>{i.orgName}</strong> invited you as {i.role === 'owner' ? 'an owner' : 'a member'} · until {i.expires}
            <form method="post" action={ORG_PATHS.list} class="decision">
              <input type="hidden" name="token" value={i.token} />
              <input type="hidden" name="invitation" value={i.id} />
              <button type="submit" name="decision" value="accept" aria-label={`Accept the invitation to ${i.orgName}`}>
                Accept
              </button>
              <button type="submit" name="decision" value="decline" class="secondary" aria-label={`Decline the invitation to ${i.orgName}`}>
                Decline
              </button>
            </form>
          </li>
        ))}
      </ul>
    </>
  );
}

export function OrgListView({ orgs, invitations, unverifiedInvitations, email, notice, logoutToken }: OrgListProps) {
  return (
    <Layout title="Your organizations" account={{ logoutToken }}>
      <p>
        <a href="/">Home</a>
      </p>
      <h1>Your organizations</h1>
      <Messages notice={notice} />
      <Invitations invitations={invitations} unverified={unverifiedInvitations} email={email} />
      {orgs.length === 0 ? (
        <p>You do not belong to any organization yet. An owner can add you with your email address.</p>
      ) : (
        <ul class="orgs">
          {orgs.map((o) => (
            <li>
              <strong>{o.name}</strong> · {o.role === 'owner' ? 'Owner' : 'Member'} ·{' '}
              {o.role === 'owner' ? <a href={ORG_PATHS.settings(o.slug)}>Settings</a> : <a href={ORG_PATHS.overview(o.slug)}>Overview</a>}
            </li>
          ))}
        </ul>
      )}
    </Layout>
  );
}

export interface OrgOverviewProps {
  org: { slug: string; name: string };
  role: 'owner' | 'member';
  owners: string[];
  memberCount: number;
  mode: ThirdPartyMode;
  approved: string[];
  cutOff: string[];
  notice?: string | undefined;
  logoutToken: string;
}

export function OrgOverviewView(p: OrgOverviewProps) {
  return (
    <Layout title={p.org.name} account={{ logoutToken: p.logoutToken }}>
      <p>
        <a href={ORG_PATHS.list}>Your organizations</a>
      </p>
      <h1>{p.org.name}</h1>
      <Messages notice={p.notice} />
      <dl class="org-facts">
        <dt>Your role</dt>
        <dd>{p.role === 'owner' ? 'Owner' : 'Member'}</dd>
        <dt>Owners</dt>
        <dd>{p.owners.join(', ')}</dd>
        <dt>Members</dt>
        <dd>{p.memberCount}</dd>
        <dt>Third-party services</dt>
        <dd>{MODE_TEXT[p.mode].label}</dd>
        {p.mode === 'approved' && (
          <>
            <dt>Approved services</dt>
            <dd>{p.approved.length === 0 ? 'none yet' : p.approved.join(', ')}</dd>
          </>
        )}
        {p.cutOff.length > 0 && (
          <>
            <dt>Cut off by the owners</dt>
            <dd>{p.cutOff.join(', ')}</dd>
          </>
        )}
      </dl>
      {p.mode === 'approved' && (
        <p class="hint">If a service you use is refused here, its message links to a page where you can ask the owners to approve it.</p>
      )}
      {p.role === 'owner' && (
        <p>
          <a href={ORG_PATHS.settings(p.org.slug)}>Settings</a>
        </p>
      )}
    </Layout>
  );
}
